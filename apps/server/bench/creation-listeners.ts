/**
 * `pnpm --filter @keysmith/server exec tsx bench/creation-listeners.ts
 * [--keys=N] [--listeners=N] [--rounds=N]`: key creation over HTTP (16 in
 * flight, by an access token, as `pnpm bench` does) into a table of N keys
 * (a million by default), with and without N more apps/server instances
 * (4 by default) listening for key changes, alternating. Every instance that
 * listens is signalled and handles each new key's notification, it and its
 * PostgreSQL backend; on one machine that CPU comes out of what the creating
 * server and PostgreSQL have. Prints creations a second, the WAL written a
 * key and the CPU a key by process (from /proc); writes nothing, no target
 * (docs/performance.md, "Key creation").
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

/** CPU seconds (user and system) of every process now, by pid, with its command line. */
function cpuByProcess(): Map<number, { cpu: number; command: string }> {
  const found = new Map<number, { cpu: number; command: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      found.set(Number(entry), { cpu: (Number(fields[11]) + Number(fields[12])) / 100, command });
    } catch {
      // gone meanwhile
    }
  }
  return found;
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
    // an instance starts listening at its first verification
    const listen = async (server: Server) => {
      await autocannon({ url: server.url, connections: 1, amount: 1, requests: verifyRequests(token, [someKey ?? ""]) });
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
      const apiPids = new Set([api.pid]);
      const otherPids = new Set(others.map((server) => server.pid));
      const byKind = new Map<string, number>();
      for (const [pid, { cpu, command }] of after) {
        // a process started meanwhile (a pool replacing an idle connection) counts whole
        const used = cpu - (before.get(pid)?.cpu ?? 0);
        if (used <= 0) continue;
        // tsx runs each server in a child process of its own: count it with its parent
        const parent = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
        const kind = command.startsWith("postgres")
          ? "PostgreSQL"
          : apiPids.has(pid) || apiPids.has(parent)
            ? "apps/server"
            : otherPids.has(pid) || otherPids.has(parent)
              ? "the other instances"
              : pid === process.pid
                ? "this process (autocannon)"
                : "other";
        byKind.set(kind, (byKind.get(kind) ?? 0) + used);
      }
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
