import { execFileSync } from "node:child_process";

import { type getPool } from "@keysmith/db";

import { type Server } from "./processes.ts";
import { insertRealKeys } from "./seed.ts";

type Pool = ReturnType<typeof getPool>;

/** The resident set of a process, from ps (KiB → bytes). */
function rssOf(pid: number): number {
  return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString().trim()) * 1024;
}

export interface CacheMemory {
  keys: number;
  idleBytes: number;
  cachedBytes: number;
}

/**
 * RSS of apps/server (one process: node with tsx as a loader) before and
 * after it has verified, and so cached, `count` distinct keys, 32 at a time
 * over HTTP. The server must run with KEYSMITH_KEY_CACHE_SIZE ≥ count.
 */
export async function cacheMemory(server: Server, pool: Pool, userId: number, verifier: string, count: number): Promise<CacheMemory> {
  const keys = await insertRealKeys(pool, userId, count);
  // one request first, so the idle figure includes everything loaded on the verify path
  const verify = (key: string) =>
    fetch(`${server.url}/api/v1/api-keys/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${verifier}`, "content-type": "application/json" },
      body: JSON.stringify({ key }),
    }).then((response) => response.arrayBuffer());
  await verify(verifier);
  const idleBytes = rssOf(server.pid);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < keys.length) await verify(keys[next++] ?? "");
    }),
  );
  return { keys: count, idleBytes, cachedBytes: rssOf(server.pid) };
}
