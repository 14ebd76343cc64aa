/**
 * `pnpm --filter @keysmith/server exec tsx bench/creation-listeners.ts
 * [--keys=K] [--listeners=L] [--rounds=R]`: key creation over HTTP (16 in
 * flight, by an access token, as `pnpm bench` does) into a table of K keys
 * (a million by default), with apps/server listening for key changes alone
 * and with L more apps/server instances (4 by default) listening too,
 * alternating, R rounds (2). Every instance that listens is signalled, and
 * handles each new key's notification, it and its PostgreSQL backend; on one
 * machine that CPU comes out of what the creating server and PostgreSQL have.
 * Prints creations a second, the WAL written a key and the CPU a key (user
 * and system, from /proc) of PostgreSQL (the server process, its backends and
 * whatever of its children exited meanwhile), apps/server, the other
 * instances (idle but for their notifications and heartbeats) and this
 * process (autocannon). No results file, no target (docs/performance.md,
 * "Key creation").
 */
import { readdirSync, readFileSync } from "node:fs";

import { signUp } from "@keysmith/auth";
import { getPool } from "@keysmith/db";
import autocannon from "autocannon";

import { accessToken, createRequests, startBenchDatabase, verifyRequests } from "./bench-database.ts";
import { type Server, startAll, startApi } from "./processes.ts";
import { fillTo, insertRealKeys } from "./seed.ts";

const option = (name: string, fallback: number) => Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const total = option("keys", 1_000_000);
const extra = option("listeners", 4);
const rounds = option("rounds", 2);
const SECONDS = 6;

/** Clock ticks a second in /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
const TICKS = 100;

interface ProcessCpu {
  /** Its own CPU seconds. */
  cpu: number;
  /** Its children's that have exited and been waited for. */
  exitedChildren: number;
  parent: number;
}

/** CPU seconds of every process now, by pid, read in one pass (a process may exit at any moment). */
function cpuByProcess(): Map<number, ProcessCpu> {
  const found = new Map<number, ProcessCpu>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // the command name may hold ") ": the fields start after the last one
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      found.set(Number(entry), {
        cpu: (Number(fields[11]) + Number(fields[12])) / TICKS,
        exitedChildren: (Number(fields[13]) + Number(fields[14])) / TICKS,
        parent: Number(fields[1]),
      });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The CPU seconds `pids` used between two snapshots; a process started meanwhile counts whole. */
function used(before: Map<number, ProcessCpu>, after: Map<number, ProcessCpu>, pids: Iterable<number>): number {
  let seconds = 0;
  for (const pid of pids) {
    const now = after.get(pid);
    if (now) seconds += now.cpu - (before.get(pid)?.cpu ?? 0);
  }
  return seconds;
}

const database = await startBenchDatabase();
try {
  const user = await signUp({ username: "bench", email: "bench@example.test", name: "Bench", password: "bench password" });
  const pool = getPool();
  const [someKey] = await insertRealKeys(pool, user.id, 1);
  await fillTo(pool, user.id, total);
  const [api] = await startAll([startApi(database.url)]);
  let others: Server[] = [];
  try {
    const token = await accessToken(api.url);
    const requests = createRequests(token);
    // an instance starts listening at its first verification; its /healthz says once it does
    const listen = async (server: Server) => {
      const verified = await autocannon({ url: server.url, connections: 1, amount: 1, requests: verifyRequests(token, [someKey ?? ""]) });
      if (verified.non2xx > 0 || verified.errors > 0) throw new Error(`${server.url}: the first verification failed`);
      for (let tries = 0; ; tries += 1) {
        const health = (await (await fetch(`${server.url}/healthz`)).json()) as { keyEvents: string };
        if (health.keyEvents === "listening") return;
        if (tries === 100) throw new Error(`${server.url}: not listening after 5 s (${health.keyEvents})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await listen(api);
    await autocannon({ url: api.url, connections: 16, duration: 2, requests });
    const measure = async (label: string) => {
      const wal = async () => (await pool.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0]?.lsn ?? "0/0";
      const walBefore = await wal();
      const before = cpuByProcess();
      const result = await autocannon({ url: api.url, connections: 16, duration: SECONDS, requests });
      const after = cpuByProcess();
      const walBytes = Number((await pool.query<{ bytes: string }>("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS bytes", [await wal(), walBefore])).rows[0]?.bytes);
      // PostgreSQL: its server process (the parent of any backend), the backends, and its children that exited meanwhile
      const postmaster = after.get((await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid ?? 0)?.parent ?? 0;
      const postgres = [...after].filter(([pid, { parent }]) => pid === postmaster || parent === postmaster).map(([pid]) => pid);
      // children that exited meanwhile are in the server process's count of its children, whole: less what they had used before
      const gone = [...before].filter(([pid, { parent }]) => parent === postmaster && !after.has(pid));
      const reaped = (after.get(postmaster)?.exitedChildren ?? 0) - (before.get(postmaster)?.exitedChildren ?? 0) - gone.reduce((sum, [, { cpu }]) => sum + cpu, 0);
      const byKind = new Map<string, number>([
        ["PostgreSQL", used(before, after, postgres) + reaped],
        ["apps/server", used(before, after, [api.pid])],
        ...(others.length > 0 ? [["the other instances", used(before, after, others.map((server) => server.pid))] as [string, number]] : []),
        ["this process (autocannon)", used(before, after, [process.pid])],
      ]);
      const perKey = [...byKind].map(([kind, seconds]) => `${kind} ${((seconds * 1e6) / result.requests.total).toFixed(0)}`).join(", ");
      console.log(`${label.padEnd(28)} ${Math.round(result.requests.average).toLocaleString("en").padStart(6)}/s  WAL ${Math.round(walBytes / result.requests.total)} B a key  CPU µs a key: ${perKey}`);
    };
    for (let round = 0; round < rounds; round += 1) {
      await measure("apps/server listening alone");
      others = await startAll(Array.from({ length: extra }, () => startApi(database.url)));
      for (const other of others) await listen(other);
      await measure(`with ${extra} more listening`);
      await Promise.all(others.map((server) => server.stop()));
      others = [];
    }
  } finally {
    await Promise.all([api, ...others].map((server) => server.stop()));
  }
} finally {
  await database.stop();
}
