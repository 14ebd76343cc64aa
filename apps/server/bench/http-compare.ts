/**
 * `pnpm bench:http`: only the HTTP verification rows, apps/server beside bare
 * Node, alternating, for trying a change to the hot path without the whole
 * `pnpm bench`. Prints throughput, autocannon's p50 and p99 latency (whole
 * milliseconds) and each server's CPU time per request (user
 * and system, all threads, from /proc: steadier than throughput on a shared
 * machine), with the system part apart; writes nothing. BENCH_API_ENV='{"NAME":"value"}' starts apps/server
 * with more settings (NODE_OPTIONS, say); BENCH_TRACE="perf record -g -o f -p"
 * or "strace -c -f -p" runs that command on apps/server during one c=32 run (one creation run with --create)
 * (on the bare Node floor with BENCH_TRACE_FLOOR=1, to compare the two).
 * `--create` runs only key creation over HTTP instead (16 in flight, by an
 * access token, as `pnpm bench` does), with apps/server's CPU time per key;
 * `--token` only verification at c=32 by an API key and by an access token,
 * alternating, as `pnpm bench`'s access-token target compares them.
 * `--steps` puts four more servers in each c=32 rotation, between the floor
 * and apps/server: three of bare Node doing, step by step, the work every
 * verification must do (floor-server.ts), to show how much of apps/server's
 * cost that work explains; and one answering the floor's constant from Node's
 * HTTP parser on a bare socket, without the http module (parser-floor.ts), to
 * show the most a leaner HTTP layer could save.
 */
import { readFileSync } from "node:fs";

import { signUp } from "@keysmith/auth";
import { getPool } from "@keysmith/db";
import autocannon from "autocannon";

import { accessToken, createRequests, startBenchDatabase, verifyRequests } from "./bench-database.ts";
import { startAll, startApi, startFloor, startParserFloor } from "./processes.ts";
import { insertRealKeys } from "./seed.ts";

const rounds = Number(process.argv.find((arg) => arg.startsWith("--rounds="))?.slice(9) ?? 2);
const seconds = Number(process.argv.find((arg) => arg.startsWith("--seconds="))?.slice(10) ?? 4);

/** CPU seconds of a process and all its descendants (tsx runs the app in a child), in user space and in the kernel. */
function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const own = { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    // gone
  }
  return children.reduce((sum, child) => {
    const theirs = cpuSeconds(Number(child));
    return { user: sum.user + theirs.user, system: sum.system + theirs.system };
  }, own);
}

const database = await startBenchDatabase();
try {
  const user = await signUp({ username: "bench", email: "bench@example.test", name: "Bench", password: "bench password" });
  const keys = await insertRealKeys(getPool(), user.id, 100);
  const withSteps = process.argv.includes("--steps");
  // parsed before anything starts: a mistyped BENCH_API_ENV then leaves no server behind
  const apiEnv = JSON.parse(process.env.BENCH_API_ENV ?? "{}") as Record<string, string>;
  const [floor, api, ...steps] = await startAll([
    startFloor(),
    startApi(database.url, apiEnv),
    ...(withSteps ? [startFloor(1), startFloor(2), startFloor(3), startParserFloor()] : []),
  ]);
  try {
    const requests = verifyRequests(keys[0] ?? "", keys);
    const run = async (server: typeof floor, connections: number, sent = requests) => {
      const before = cpuSeconds(server.pid);
      const result = await autocannon({ url: server.url, connections, duration: seconds, requests: sent });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const after = cpuSeconds(server.pid);
      const perRequest = (s: number) => (s * 1e6) / result.requests.total;
      const userUs = perRequest(after.user - before.user);
      const systemUs = perRequest(after.system - before.system);
      return { perSecond: result.requests.average, cpuUs: userUs + systemUs, userUs, systemUs, p50: result.latency.p50, p99: result.latency.p99 };
    };
    /** With BENCH_TRACE (e.g. "strace -c -f -p" or "perf record -g -o /tmp/perf.data -p"), runs it on the server (apps/server, or the floor with BENCH_TRACE_FLOOR) during one run of `sent`. */
    const trace = async (connections: number, sent: typeof requests) => {
      const tracer = process.env.BENCH_TRACE;
      if (!tracer) return;
      const { spawn, execFileSync } = await import("node:child_process");
      const traced = process.env.BENCH_TRACE_FLOOR ? floor : api;
      // the app runs in a child when tsx starts it, else in the process itself (pgrep then finds nothing and fails)
      const children = () => {
        try {
          return execFileSync("pgrep", ["-P", String(traced.pid)]).toString().trim().split(/\s+/);
        } catch {
          return [];
        }
      };
      const pids = [traced.pid, ...children()];
      const child = spawn("sh", ["-c", `exec ${tracer} ${pids.at(-1)}`], { stdio: "inherit" });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const result = await autocannon({ url: traced.url, connections, duration: seconds, requests: sent });
      console.log(`traced run: ${Math.round(result.requests.average)}/s, ${result.requests.total} requests`);
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("exit", resolve));
    };
    const show = (f: Awaited<ReturnType<typeof run>>) =>
      `${Math.round(f.perSecond).toLocaleString("en").padStart(7)}/s (${f.cpuUs.toFixed(0)} µs CPU each: ${f.userUs.toFixed(0)} user, ${f.systemUs.toFixed(0)} system; p50 ${f.p50} ms, p99 ${f.p99} ms)`;
    if (process.argv.includes("--token")) {
      // the caller by API key and by access token, alternating, as `pnpm bench`'s access-token rows
      const byToken = verifyRequests(await accessToken(api.url), keys);
      for (const sent of [requests, byToken]) await autocannon({ url: api.url, connections: 32, duration: 1, requests: sent });
      for (let round = 0; round < rounds; round += 1) {
        const key = await run(api, 32, requests);
        const token = await run(api, 32, byToken);
        console.log(`c=32  caller by API key ${show(key)}  by access token ${show(token)}  ${Math.round((token.perSecond / key.perSecond) * 100)}%`);
      }
    } else if (process.argv.includes("--create")) {
      const requests = createRequests(await accessToken(api.url));
      // the creation path is much more code than verification: its warm-up (JIT) takes longer
      await autocannon({ url: api.url, connections: 16, duration: 2, requests });
      await trace(16, requests);
      for (let round = 0; round < rounds; round += 1) {
        const { perSecond, cpuUs } = await run(api, 16, requests);
        console.log(`key creation c=16  apps/server ${Math.round(perSecond).toLocaleString("en").padStart(7)}/s (${cpuUs.toFixed(0)} µs CPU each)`);
      }
    } else {
      for (const server of [floor, api, ...steps]) for (const c of [1, 32]) await autocannon({ url: server.url, connections: c, duration: 1, requests });
      await trace(32, requests);
      for (let round = 0; round < rounds; round += 1) {
        for (const c of [1, 32]) {
          const bare = await run(floor, c);
          // the kernel's share (system) includes waking autocannon for each answer that finds it asleep, which a slower server does more often
          const stepLines: string[] = [];
          if (c === 32) {
            for (const [i, step] of steps.entries()) {
              const figures = await run(step, c);
              const name = i < 3 ? `bare + step ${i + 1}` : "llhttp on net";
              stepLines.push(`      ${name.padEnd(13)} ${show(figures)}  ${Math.round((figures.perSecond / bare.perSecond) * 100)}%`);
            }
          }
          const ours = await run(api, c);
          console.log(`c=${String(c).padStart(2)}  bare ${show(bare)}  apps/server ${show(ours)}  ${Math.round((ours.perSecond / bare.perSecond) * 100)}%`);
          for (const line of stepLines) console.log(line);
        }
      }
    }
  } finally {
    await Promise.all([floor, api, ...steps].map((server) => server.stop()));
  }
} finally {
  await database.stop();
}
