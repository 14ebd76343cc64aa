/**
 * `pnpm soak`: three apps/server instances on one embedded PostgreSQL under a
 * mixed load for a while (3 minutes by default), one of them killed (SIGKILL)
 * and restarted a third of the way in. It reports, as plain tables, what the
 * instances promise together:
 *
 * - acknowledged writes are never lost: every create answered 201 is listed
 *   afterwards, every revoke answered 200 verifies as REVOKED on every instance;
 * - a revocation acknowledged by one instance reaches the others within a
 *   second (p50/p99/max of polling them until they answer REVOKED);
 * - a key's rate limit holds across instances: VALID answers per minute
 *   window (the minute each verification was sent in, by the wall clock)
 *   against the limit, for a key hammered through all three.
 *
 * Not a test: it prints figures, and MET/MISSED for each promise (exit code 1
 * when any is missed).
 *
 *   pnpm soak                   3 minutes
 *   pnpm soak --minutes 10      (or KEYSMITH_SOAK_MINUTES=10)
 *   pnpm soak --seconds 40      a short try (or KEYSMITH_SOAK_SECONDS=40)
 *   --concurrency N             verify workers, each one request at a time (8)
 *   --rate-limit N              rate_limit_per_minute of the hammered key (600)
 *   --markdown                  the report's tables as Markdown too
 */
import { execFileSync, spawn } from "node:child_process";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { signUp } from "@keysmith/auth";
import { dbEnv, disconnectDb } from "@keysmith/db";
import { applyMigrations, type EmbeddedServer, freePort, scratchFolder, startEmbeddedPostgres } from "@keysmith/db/lifecycle";

import { type Server, startApi } from "./processes.ts";
import { markdownTable, ms, num, quantile, table } from "./soak-report.ts";

// ---------------------------------------------------------------- settings

const args = process.argv.slice(2).filter((arg) => arg !== "--");

function option(name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: ${name} must be a positive number, not "${raw}".`);
    process.exit(2);
  }
  return value;
}

const seconds = option("seconds") ?? process.env.KEYSMITH_SOAK_SECONDS;
const minutes = option("minutes") ?? process.env.KEYSMITH_SOAK_MINUTES;
const DURATION_MS = seconds ? positive("--seconds", seconds, 0) * 1000 : positive("--minutes", minutes, 3) * 60_000;
const VERIFY_WORKERS = Math.round(positive("--concurrency", option("concurrency"), 8));
const RATE_LIMIT = Math.round(positive("--rate-limit", option("rate-limit"), 600));
const MARKDOWN = args.includes("--markdown");

const INSTANCES = ["A", "B", "C"] as const;
/** Which instance is killed, and when. */
const VICTIM = 2;
const KILL_AT_MS = DURATION_MS / 3;
/** How long a load balancer keeps sending to a dead instance before its health check notices. */
const LB_DETECT_MS = 1_000;
const WRITE_WORKERS = 2;
const WRITE_PAUSE_MS = 25;
const SEED_KEYS = 50;
/** Each instance gets the rate-limited key at twice the limit, so all three together send six times it. */
const HAMMER_PER_SECOND = Math.max(5, Math.ceil((2 * RATE_LIMIT) / 60));
const HAMMER_IN_FLIGHT = 16;
const FETCH_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 5;
const POLL_GIVE_UP_MS = 5_000;
/** A revoked key verified this long after its revoke was acknowledged must be REVOKED everywhere. */
const STALE_AFTER_MS = 1_000;

// ---------------------------------------------------------------- state

interface Slot {
  name: string;
  server: Server;
  generation: number;
  inRotation: boolean;
  /** Generations killed on purpose: their connection errors are expected, and counted apart. */
  killed: Set<number>;
}

interface Reply {
  status: number;
  data: Record<string, unknown> | null;
  link: string | null;
}

interface Key {
  id: number;
  key: string;
}

class KindStats {
  requests = 0;
  readonly labels = new Map<string, number>();
  readonly latencies: number[] = [];
}

const kinds = new Map<string, KindStats>();
const verifyCodes = new Map<string, number>();
const active: Key[] = [];
const createdAcked = new Map<number, string>();
const revokedAcked: (Key & { at: number })[] = [];
const inDoubt = { creates: 0, revokes: 0 };
const revocation = { latencies: [] as number[], gaveUp: 0, skipped: 0 };
const stale = { checked: 0, valid: 0 };
const windows = new Map<number, { sent: number; valid: number; limited: number; other: number; failed: number }>();
const kill = { at: Number.NaN, wallAt: Number.NaN, downMs: Number.NaN, restartError: "" };
const everyServer: Server[] = [];
let lastConnectionError = "";
let slots: Slot[] = [];
let stopAt = Number.POSITIVE_INFINITY;
let stopping = false;
let token = "";
let callerKey = "";

const running = () => !stopping && performance.now() < stopAt;
const log = (line: string) => console.log(line);

function record(kind: string, label: string, latencyMs?: number) {
  let stats = kinds.get(kind);
  if (!stats) kinds.set(kind, (stats = new KindStats()));
  stats.requests += 1;
  stats.labels.set(label, (stats.labels.get(label) ?? 0) + 1);
  if (latencyMs !== undefined) stats.latencies.push(latencyMs);
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  const message = typeof cause?.message === "string" ? cause.message : error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}

/** One REST call, counted under `kind`; undefined when no answer came (connection error or timeout). */
async function call(kind: string, slot: Slot, method: string, route: string, credential: string, body?: unknown): Promise<Reply | undefined> {
  const generation = slot.generation;
  const url = slot.server.url;
  const started = performance.now();
  try {
    const response = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const text = await response.text();
    record(kind, String(response.status), performance.now() - started);
    let data: Record<string, unknown> | null = null;
    try {
      const parsed = JSON.parse(text) as { data?: unknown };
      if (typeof parsed.data === "object" && parsed.data !== null) data = parsed.data as Record<string, unknown>;
    } catch {
      // not the envelope: the status says enough
    }
    return { status: response.status, data, link: response.headers.get("link") };
  } catch (error) {
    const timeout = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    if (slot.killed.has(generation)) record(kind, "conn-error (killed instance)");
    else if (timeout) record(kind, "timeout");
    else {
      record(kind, "conn-error");
      lastConnectionError = describeError(error);
    }
    return undefined;
  }
}

const codeOf = (reply: Reply | undefined): string | undefined => (typeof reply?.data?.code === "string" ? reply.data.code : undefined);

async function verifyCode(kind: string, slot: Slot, key: string): Promise<string | undefined> {
  return codeOf(await call(kind, slot, "POST", "/api-keys/verify", callerKey, { key }));
}

const randomOf = <T>(list: readonly T[]): T | undefined => list[Math.floor(Math.random() * list.length)];

function takeRandom<T>(list: T[]): T | undefined {
  if (list.length === 0) return undefined;
  const at = Math.floor(Math.random() * list.length);
  const taken = list[at];
  list[at] = list[list.length - 1] as T;
  list.pop();
  return taken;
}

/** As a load balancer would: the preferred instance while it is in rotation, else any that is. */
function pickSlot(preferred?: Slot): Slot | undefined {
  if (preferred?.inRotation) return preferred;
  return randomOf(slots.filter((slot) => slot.inRotation));
}

function keyOf(reply: Reply | undefined): Key | undefined {
  const id = reply?.data?.id;
  const key = reply?.data?.key;
  return typeof id === "number" && typeof key === "string" ? { id, key } : undefined;
}

// ---------------------------------------------------------------- the load

async function createOne(kind = "create"): Promise<void> {
  const slot = pickSlot();
  if (!slot) return;
  const reply = await call(kind, slot, "POST", "/api-keys", token, { name: `soak ${createdAcked.size + inDoubt.creates}`, description: "pnpm soak" });
  const created = reply?.status === 201 ? keyOf(reply) : undefined;
  if (created) {
    createdAcked.set(created.id, created.key);
    active.push(created);
  } else if (!reply) {
    inDoubt.creates += 1;
  }
}

async function revokeOne(): Promise<void> {
  const target = takeRandom(active);
  const slot = pickSlot();
  if (!target || !slot) {
    if (target) active.push(target);
    return;
  }
  // warm the other instances' caches first, so the revocation has to reach a cache rather than a cold lookup
  const others = () => slots.filter((other) => other !== slot && other.inRotation);
  await Promise.all(others().map((other) => verifyCode("verify: warm-up before revoke", other, target.key)));
  const reply = await call("revoke", slot, "POST", `/api-keys/${target.id}/revoke`, token);
  if (!reply) {
    inDoubt.revokes += 1;
    return;
  }
  if (reply.status !== 200) {
    active.push(target);
    return;
  }
  const ackedAt = performance.now();
  revokedAcked.push({ ...target, at: ackedAt });
  await Promise.all(
    others().map(async (other) => {
      for (;;) {
        const code = await verifyCode("verify: revocation poll", other, target.key);
        const elapsed = performance.now() - ackedAt;
        if (code === "REVOKED") {
          revocation.latencies.push(elapsed);
          return;
        }
        if (elapsed > POLL_GIVE_UP_MS) {
          revocation.gaveUp += 1;
          revocation.latencies.push(Number.POSITIVE_INFINITY);
          return;
        }
        if (code === undefined && !other.inRotation) {
          // it went down meanwhile: nothing to measure there
          revocation.skipped += 1;
          return;
        }
        await sleep(POLL_INTERVAL_MS);
      }
    }),
  );
}

async function writer(): Promise<void> {
  while (running()) {
    if (active.length < 30 || Math.random() < 0.7) await createOne();
    else await revokeOne();
    await sleep(WRITE_PAUSE_MS);
  }
}

async function verifier(): Promise<void> {
  while (running()) {
    const slot = pickSlot();
    // now and then a key revoked a while ago: it must be REVOKED wherever it is asked
    const old = Math.random() < 0.05 ? randomOf(revokedAcked.filter((key) => performance.now() - key.at > STALE_AFTER_MS)) : undefined;
    const key = old ?? randomOf(active);
    if (!slot || !key) {
      await sleep(20);
      continue;
    }
    const code = await verifyCode(old ? "verify: key revoked >1 s ago" : "verify", slot, key.key);
    if (code === undefined) {
      await sleep(10); // a client's pause before trying again
      continue;
    }
    verifyCodes.set(code, (verifyCodes.get(code) ?? 0) + 1);
    if (old) {
      stale.checked += 1;
      if (code === "VALID") stale.valid += 1;
    }
  }
}

/**
 * One instance's share of the rate-limited key, sent at HAMMER_PER_SECOND
 * whatever the answers' latency (up to HAMMER_IN_FLIGHT at once), each
 * counted in the minute window it was sent in.
 */
async function hammer(home: Slot, limited: Key): Promise<void> {
  const interval = 1000 / HAMMER_PER_SECOND;
  const inFlight = new Set<Promise<void>>();
  let next = performance.now();
  while (running()) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    next = Math.max(next + interval, performance.now() - 1_000); // fallen behind: carry on at the pace, no burst to catch up
    if (inFlight.size >= HAMMER_IN_FLIGHT) await Promise.race(inFlight);
    const slot = pickSlot(home);
    if (!slot || !running()) continue;
    const sentAt = Date.now();
    const sent = verifyCode("verify: rate-limited key", slot, limited.key).then((code) => {
      const window = Math.floor(sentAt / 60_000);
      let counts = windows.get(window);
      if (!counts) windows.set(window, (counts = { sent: 0, valid: 0, limited: 0, other: 0, failed: 0 }));
      counts.sent += 1;
      if (code === "VALID") counts.valid += 1;
      else if (code === "RATE_LIMITED") counts.limited += 1;
      else if (code === undefined) counts.failed += 1;
      else counts.other += 1;
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
}

async function untilReady(server: Server): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${server.url} was not ready within 30 s`);
}

/** SIGKILL one instance a third of the way in, take it out of rotation as a health check would, and start a new one. */
async function killer(databaseUrl: string): Promise<void> {
  const victim = slots[VICTIM];
  if (!victim) return;
  while (running() && performance.now() < stopAt - DURATION_MS + KILL_AT_MS) await sleep(50);
  if (!running()) return;
  kill.at = performance.now();
  kill.wallAt = Date.now();
  victim.killed.add(victim.generation);
  const noticed = sleep(LB_DETECT_MS).then(() => {
    victim.inRotation = false;
  });
  await victim.server.kill();
  log(`${clock()}  instance ${victim.name} killed (SIGKILL); starting a new one`);
  await noticed;
  try {
    const server = await startApi(databaseUrl);
    everyServer.push(server);
    await untilReady(server);
    await notePids();
    victim.server = server;
    victim.generation += 1;
    victim.inRotation = true;
    kill.downMs = performance.now() - kill.at;
    log(`${clock()}  instance ${victim.name} back (ready ${num(kill.downMs / 1000, 1)} s after the kill)`);
  } catch (error) {
    kill.restartError = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
    log(`${clock()}  instance ${victim.name} did not come back: ${kill.restartError}`);
  }
}

let loadStart = 0;
const clock = () => `t=${num((performance.now() - loadStart) / 1000)}s`.padEnd(7);

async function progress(): Promise<void> {
  let last = new Map<string, number>();
  let lastAt = performance.now();
  while (running()) {
    await sleep(Math.min(10_000, Math.max(0, stopAt - performance.now())));
    const now = performance.now();
    const rate = (kind: string) => ((kinds.get(kind)?.requests ?? 0) - (last.get(kind) ?? 0)) / ((now - lastAt) / 1000);
    let failures = 0;
    for (const stats of kinds.values()) for (const [label, count] of stats.labels) if (!/^2\d\d$/.test(label)) failures += count;
    log(
      `${clock()}  verify ${num(rate("verify"))}/s  create ${num(rate("create"))}/s  revoke ${num(rate("revoke"))}/s  ` +
        `non-2xx or failed so far ${num(failures)}  in rotation ${slots.filter((slot) => slot.inRotation).length}/${slots.length}  keys ${num(active.length)}`,
    );
    last = new Map([...kinds].map(([kind, stats]) => [kind, stats.requests]));
    lastAt = now;
  }
}

// ---------------------------------------------------------------- afterwards

async function inBatches<T>(items: readonly T[], concurrency: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await each(item);
      }
    }),
  );
}

/** Every key id the list shows through `slot`, following its Link pages. */
async function listedIds(slot: Slot): Promise<Set<number> | undefined> {
  const ids = new Set<number>();
  let route: string | undefined = "/api-keys?limit=100";
  while (route) {
    const reply = await call("final check: list", slot, "GET", route, token);
    if (reply?.status !== 200) return undefined;
    const data = (reply as { data: unknown }).data;
    if (Array.isArray(data)) for (const item of data as { id?: unknown }[]) if (typeof item.id === "number") ids.add(item.id);
    const next = /<([^>]+)>;\s*rel="next"/.exec(reply.link ?? "")?.[1];
    route = next?.replace(/^\/api\/v1/, "");
  }
  return ids;
}

interface Checks {
  missingCreates: number;
  createChecks: number;
  unrevoked: number;
  revokeChecks: number;
  unchecked: string[];
}

async function finalChecks(): Promise<Checks> {
  const checks: Checks = { missingCreates: 0, createChecks: 0, unrevoked: 0, revokeChecks: 0, unchecked: [] };
  for (const slot of slots) {
    if (!slot.inRotation) {
      checks.unchecked.push(slot.name);
      continue;
    }
    const ids = await listedIds(slot);
    if (!ids) {
      checks.unchecked.push(`${slot.name} (list failed)`);
      continue;
    }
    for (const id of createdAcked.keys()) {
      checks.createChecks += 1;
      if (!ids.has(id)) checks.missingCreates += 1;
    }
    await inBatches(revokedAcked, 16, async (key) => {
      checks.revokeChecks += 1;
      if ((await verifyCode("final check: verify revoked", slot, key.key)) !== "REVOKED") checks.unrevoked += 1;
    });
  }
  return checks;
}

function report(checks: Checks, limited: Key, loadMs: number): boolean {
  const blocks: { title: string; rows: string[][] }[] = [];

  // requests by kind
  const labels = new Set<string>();
  for (const stats of kinds.values()) for (const label of stats.labels.keys()) if (!/^2\d\d$/.test(label)) labels.add(label);
  const other = [...labels].sort();
  blocks.push({
    title: "Requests by kind",
    rows: [
      ["kind", "requests", "per s", "2xx", ...other, "p50", "p99"],
      ...[...kinds].map(([kind, stats]) => {
        let ok = 0;
        for (const [label, count] of stats.labels) if (/^2\d\d$/.test(label)) ok += count;
        const perSecond = kind.startsWith("verify") || kind === "create" || kind === "revoke" ? num(stats.requests / (loadMs / 1000)) : "";
        return [kind, num(stats.requests), perSecond, num(ok), ...other.map((label) => num(stats.labels.get(label) ?? 0)), ms(quantile(stats.latencies, 0.5)), ms(quantile(stats.latencies, 0.99))];
      }),
    ],
  });

  blocks.push({
    title: "Verify answers (mixed load)",
    rows: [["code", "answers"], ...[...verifyCodes].sort((a, b) => b[1] - a[1]).map(([code, count]) => [code, num(count)])],
  });

  const lost = checks.missingCreates + checks.unrevoked;
  blocks.push({
    title: "Acknowledged writes",
    rows: [
      ["what", "acknowledged", "checks (× instances)", "lost", "no answer (in doubt, not checked)"],
      ["create (201), listed afterwards", num(createdAcked.size), num(checks.createChecks), num(checks.missingCreates), num(inDoubt.creates)],
      ["revoke (200), REVOKED afterwards", num(revokedAcked.length), num(checks.revokeChecks), num(checks.unrevoked), num(inDoubt.revokes)],
    ],
  });

  const latencies = revocation.latencies;
  const p99 = quantile(latencies, 0.99);
  blocks.push({
    title: "Revocation latency (acknowledged by one instance → REVOKED from each other instance)",
    rows: [
      ["samples", "p50", "p99", "max", "not within 5 s", "skipped (instance down)"],
      [
        num(latencies.length),
        ms(quantile(latencies, 0.5)),
        ms(p99),
        ms(latencies.length ? Math.max(...latencies) : Number.NaN),
        num(revocation.gaveUp),
        num(revocation.skipped),
      ],
    ],
  });

  // rate limit, per minute window the verification was sent in
  const sortedWindows = [...windows].sort((a, b) => a[0] - b[0]);
  const firstWindow = sortedWindows[0]?.[0];
  const lastWindow = sortedWindows.at(-1)?.[0];
  const killWindow = Math.floor(kill.wallAt / 60_000);
  const full = (window: number) => window !== firstWindow && window !== lastWindow;
  const judged: { window: number; valid: number }[] = [];
  blocks.push({
    title: `Rate limit: key #${limited.id}, rate_limit_per_minute ${num(RATE_LIMIT)}, sent through all ${slots.length} instances (${num(HAMMER_PER_SECOND)}/s each)`,
    rows: [
      ["minute (UTC)", "window", "sent", "VALID", "RATE_LIMITED", "other", "failed", "VALID / limit", "overshoot"],
      ...sortedWindows.map(([window, counts]) => {
        const isFull = full(window);
        if (isFull) judged.push({ window, valid: counts.valid });
        const minute = new Date(window * 60_000).toISOString().slice(11, 16);
        const overshoot = ((counts.valid - RATE_LIMIT) / RATE_LIMIT) * 100;
        return [
          minute,
          `${isFull ? "full" : "partial"}${window === killWindow ? ", kill" : ""}`,
          num(counts.sent),
          num(counts.valid),
          num(counts.limited),
          num(counts.other),
          num(counts.failed),
          `${num(counts.valid / RATE_LIMIT, 2)}×`,
          `${overshoot > 0 ? "+" : ""}${num(overshoot, 1)}%`,
        ];
      }),
    ],
  });

  for (const block of blocks) log(`\n${block.title}\n${table(block.rows)}`);
  if (lastConnectionError) log(`\nlast connection error outside the kill: ${lastConnectionError}`);
  if (checks.unchecked.length) log(`\nnot checked afterwards (down): ${checks.unchecked.join(", ")}`);

  const check = (ok: boolean | undefined, text: string) => `${ok === undefined ? "NOT JUDGED" : ok ? "MET   " : "MISSED"}  ${text}`;
  const outside = judged.filter(({ valid }) => valid < RATE_LIMIT || valid > RATE_LIMIT * 1.1);
  const worst = judged.reduce((max, { valid }) => Math.max(max, valid), 0);
  const verdicts = [
    check(lost === 0 && checks.unchecked.length === 0, `acknowledged writes lost = 0: ${num(lost)} (${num(checks.missingCreates)} creates not listed, ${num(checks.unrevoked)} revokes not REVOKED)`),
    check(latencies.length > 0 ? p99 < 1_000 : undefined, `revocation p99 across instances < 1 s: ${ms(p99)} (max ${ms(latencies.length ? Math.max(...latencies) : Number.NaN)}, ${num(latencies.length)} samples)`),
    check(
      judged.length > 0 ? outside.length === 0 : undefined,
      judged.length > 0
        ? `rate limit: VALID per full minute window within [${num(RATE_LIMIT)}, ${num(RATE_LIMIT * 1.1)}]: ${judged.map(({ valid }) => num(valid)).join(", ")} (worst overshoot ${num(((worst - RATE_LIMIT) / RATE_LIMIT) * 100, 1)}%)`
        : "rate limit: no full minute window in this run (run at least 2 minutes)",
    ),
    check(stale.checked > 0 ? stale.valid === 0 : undefined, `keys revoked over 1 s earlier answered VALID: ${num(stale.valid)} of ${num(stale.checked)} verifications`),
  ];
  log(`\n${verdicts.join("\n")}`);

  if (MARKDOWN) {
    log("\n--- Markdown ---");
    for (const block of blocks) log(`\n${block.title}\n\n${markdownTable(block.rows)}`);
    log(`\n${verdicts.map((line) => `- ${line.replace(/\s+/, " ")}`).join("\n")}`);
  }
  return verdicts.every((line) => !line.startsWith("MISSED"));
}

// ---------------------------------------------------------------- start, run, clean up

let database: EmbeddedServer | undefined;
let folder: string | undefined;
let cleaning: Promise<void> | undefined;

function withTimeout(promise: Promise<void>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), limitMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Stops every server this run started (SIGTERM, then SIGKILL), the database, and removes its folder. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    stopping = true;
    await Promise.all(everyServer.map((server) => withTimeout(server.stop(), 15_000).catch(() => server.kill())));
    await disconnectDb().catch(() => undefined);
    // the database may already have stopped (Ctrl-C reaches it too), and then stop() would wait for an exit that came
    if (database) await withTimeout(database.stop(), 10_000).catch(() => undefined);
    if (folder) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  })();
  return cleaning;
}

const FOLDER_PREFIX = "keysmith-soak-";

/**
 * Folders of earlier runs that were killed before they could clean up (tsx
 * SIGKILLs its child when a relayed Ctrl-C is not acknowledged within 30 ms,
 * which a loaded machine can miss): older than ten minutes, with no
 * PostgreSQL running in them.
 */
async function removeStaleFolders(): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    if (!name.startsWith(FOLDER_PREFIX)) continue;
    const dir = path.join(tmp, name);
    try {
      if (Date.now() - (await stat(dir)).mtimeMs < 10 * 60_000) continue;
      const pid = Number((await readFile(path.join(dir, "data/postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 0);
          continue; // its PostgreSQL still runs: another soak
        } catch {
          // not running
        }
      }
      await rm(dir, { recursive: true, force: true });
      log(`removed ${dir}, left by an earlier run`);
    } catch {
      // gone meanwhile, or not ours to judge
    }
  }
}

let watchdogPid: number | undefined;

/**
 * A detached shell that outlives this process if it is killed outright: once
 * this process is gone it stops the run's PostgreSQL, if still running,
 * kills the servers listed in the folder's `pids` (see notePids), and removes
 * the folder.
 */
function startWatchdog(dir: string): void {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `pid=$(head -n 1 "${dir}/data/postmaster.pid" 2>/dev/null)`,
    `if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -INT "$pid"; i=0; while [ $i -lt 10 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; i=$((i+1)); done; kill -KILL "$pid" 2>/dev/null; fi`,
    `for p in $(cat "${dir}/pids" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done`,
    `rm -rf "${dir}"`,
  ].join("\n");
  const watchdog = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  watchdog.unref();
  watchdogPid = watchdog.pid;
}

/** Writes the servers' process ids (every descendant but PostgreSQL's and the watchdog) for the watchdog. */
async function notePids(): Promise<void> {
  if (!folder) return;
  const postgres = new Set<number>();
  const pid = Number((await readFile(path.join(folder, "data/postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0) postgres.add(pid);
  const postgresChildren = new Set(descendantsOf(postgres));
  const pids = descendants().filter((p) => p !== watchdogPid && !postgres.has(p) && !postgresChildren.has(p));
  await writeFile(path.join(folder, "pids"), pids.join("\n")).catch(() => undefined);
}

/** Every process below this one (servers, their tsx children, PostgreSQL and its backends). */
function descendants(): number[] {
  return descendantsOf(new Set([process.pid]));
}

/** Every process below the given ones, from `ps`. */
function descendantsOf(roots: ReadonlySet<number>): number[] {
  let listing: string;
  try {
    listing = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of listing.trim().split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const pending = [...roots];
  while (pending.length > 0) {
    for (const child of children.get(pending.pop() ?? -1) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

// the last resort, whatever happened: nothing this run started outlives it
process.on("exit", () => {
  for (const pid of descendants().reverse()) {
    if (pid === watchdogPid) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
});
// `on`, not `once`: Ctrl-C reaches this process twice (from the terminal, and relayed by tsx), and a second
// signal with no listener left would end it before the cleanup
let interrupted = false;
// read through a function: a signal may set it while main awaits
const wasInterrupted = () => interrupted;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nsoak: ${signal}: stopping the servers and the database…`);
    void cleanup().finally(() => process.exit(130));
  });
}

const loadAverage = () => os.loadavg().map((load) => num(load, 1)).join(", ");

async function main(): Promise<boolean> {
  const cpus = os.cpus();
  log(
    `pnpm soak: ${num(DURATION_MS / 1000)} s, ${INSTANCES.length} apps/server instances on one embedded PostgreSQL; ` +
      `${VERIFY_WORKERS} verify workers, ${WRITE_WORKERS} create/revoke workers, instance ${INSTANCES[VICTIM]} killed at ${num(KILL_AT_MS / 1000)} s`,
  );
  log(
    `machine: ${cpus[0]?.model ?? "unknown CPU"} × ${cpus.length}, ${num(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}; ` +
      `load average ${loadAverage()} (anything else running skews every figure)`,
  );

  await removeStaleFolders();
  folder = await scratchFolder(FOLDER_PREFIX);
  startWatchdog(folder);
  database = await startEmbeddedPostgres({ dataDir: path.join(folder, "data"), port: await freePort(), quiet: true });
  await applyMigrations(database.url);
  dbEnv.useDatabaseUrl(database.url);
  await signUp({ username: "soak", email: "soak@example.test", name: "Soak", password: "soak password" });
  await disconnectDb();

  const databaseUrl = database.url;
  // all settled before going on, so a failed start leaves no other server unaccounted for at cleanup
  const starts = await Promise.allSettled(INSTANCES.map(() => startApi(databaseUrl)));
  const servers = starts.flatMap((start) => (start.status === "fulfilled" ? [start.value] : []));
  everyServer.push(...servers);
  for (const start of starts) {
    if (start.status === "rejected") throw start.reason instanceof Error ? start.reason : new Error(String(start.reason));
  }
  await notePids();
  slots = servers.map((server, i) => ({ name: INSTANCES[i] ?? String(i), server, generation: 0, inRotation: true, killed: new Set<number>() }));
  log(`instances: ${slots.map((slot) => `${slot.name} ${slot.server.url}`).join(", ")}`);

  const first = slots[0] as Slot;
  const login = await fetch(`${first.server.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "soak", password: "soak password" }) });
  const loggedIn = (await login.json()) as { data?: { jwtToken?: string } };
  token = loggedIn.data?.jwtToken ?? "";
  if (!token) throw new Error(`login answered ${login.status}`);
  // services verify with a key of their own (keys:verify), as the benchmark does
  const caller = keyOf(await call("setup", first, "POST", "/api-keys", token, { name: "soak caller", scopes: ["keys:verify"] }));
  const limited = keyOf(await call("setup", first, "POST", "/api-keys", token, { name: "soak rate-limited", rate_limit_per_minute: RATE_LIMIT }));
  if (!caller || !limited) throw new Error("could not create the caller's and the rate-limited keys");
  callerKey = caller.key;
  for (let i = 0; i < SEED_KEYS && !wasInterrupted(); i += 1) await createOne("create (seed)");

  if (wasInterrupted()) return false;
  loadStart = performance.now();
  stopAt = loadStart + DURATION_MS;
  log(`${clock()}  load started`);
  await Promise.all([
    ...Array.from({ length: VERIFY_WORKERS }, () => verifier()),
    ...Array.from({ length: WRITE_WORKERS }, () => writer()),
    ...slots.map((slot) => hammer(slot, limited)),
    killer(databaseUrl),
    progress(),
  ]);
  const loadMs = performance.now() - loadStart;
  log(`${clock()}  load stopped; checking every acknowledged write on every instance…`);
  // a restart still under way gets its chance before the checks
  const victim = slots[VICTIM];
  for (let waited = 0; victim && !victim.inRotation && !kill.restartError && waited < 30_000; waited += 100) await sleep(100);

  if (wasInterrupted()) return false;
  log(`${clock()}  load average ${loadAverage()}`);
  const checks = await finalChecks();
  if (wasInterrupted()) return false;
  return report(checks, limited, loadMs);
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(`\nsoak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}
process.exit(ok ? 0 : 1);
