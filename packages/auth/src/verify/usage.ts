import { inPoolTransaction, onDisconnect } from "@keysmith/db";
import { type VerifyCode, ZVerifyCode } from "@keysmith/validators";

import { authEnv } from "../env.ts";
import { startUsageMaintenance } from "./usage-rollup.ts";

const MINUTE_MS = 60_000;
// A graceful stop is the pending counts' last chance: a write that fails for
// a passing reason (a deadlock with another instance flushing the same rows,
// a dropped connection, a statement timeout under load) gets this many tries,
// each after a longer pause, before the counts are given up.
const FINAL_FLUSH_TRIES = 3;
const FINAL_FLUSH_PAUSE_MS = 200;
// ...but not again once this long has passed: a stalled database makes each try wait out the connect
// and statement timeouts (about 30 s), and three of them would outlast any supervisor's grace period
const FINAL_FLUSH_RETRY_WITHIN_MS = 5_000;

// A count's slot within its minute is one number, keyId × STRIDE + the
// outcome's index: cheaper on the verify path than building a string key.
const OUTCOMES = ZVerifyCode.options;
const STRIDE = 16;
const OUTCOME_INDEX = Object.fromEntries(OUTCOMES.map((outcome, index) => [outcome, index])) as Record<VerifyCode, number>;
if (OUTCOMES.length > STRIDE) throw new Error("usage.ts: more outcomes than slots per key; raise STRIDE");

/** Counts by minute (its start, ms), then by slot. */
type Counts = Map<number, Map<number, number>>;

// One statement each, inside one transaction per flush. Each takes its rows' locks in the order of
// the key (and minute, outcome): two instances flushing counts or last uses of the same keys, each
// gathered in its own order, then queue for them one after the other instead of each holding a row
// the other waits for (a deadlock, which failed one flush of the two: a test flushes 100 keys in
// opposite orders).
const ADD_COUNTS = `
  INSERT INTO key_usage_minutes (key_id, minute, outcome, count)
  SELECT v.id, v.minute, v.outcome, v.count
    FROM unnest($1::int[], $2::timestamp[], $3::text[], $4::bigint[]) AS v(id, minute, outcome, count)
    JOIN api_keys k ON k.id = v.id
   ORDER BY v.id, v.minute, v.outcome
  ON CONFLICT (key_id, minute, outcome) DO UPDATE SET count = key_usage_minutes.count + EXCLUDED.count`;

// A key's first use is an audit event. The row lock makes it once only: an
// instance flushing the same first use at the same time waits, then finds
// last_used_at set and leaves the key out.
const FIRST_USES = `
  WITH used AS (
    SELECT k.id, u.t FROM api_keys k JOIN unnest($1::int[], $2::timestamp[]) AS u(id, t) ON k.id = u.id
     WHERE k.last_used_at IS NULL
     ORDER BY k.id
       FOR NO KEY UPDATE OF k
  ), first AS (
    UPDATE api_keys k SET last_used_at = used.t
      FROM used
     WHERE k.id = used.id AND k.last_used_at IS NULL
    RETURNING k.id, k.user_id, k.name, used.t AS t)
  INSERT INTO audit_events (at, user_id, event, actor_type, key_id, key_name)
  SELECT t, user_id, 'key.first_used', 'system', id, name FROM first`;

// Later uses move last_used_at on at most once a minute per key: it is shown
// to the minute, and each write is a new row version of the key.
const LATER_USES = `
  WITH used AS (
    SELECT k.id, u.t FROM api_keys k JOIN unnest($1::int[], $2::timestamp[]) AS u(id, t) ON k.id = u.id
     WHERE k.last_used_at < u.t - interval '1 minute'
     ORDER BY k.id
       FOR NO KEY UPDATE OF k
  )
  UPDATE api_keys k SET last_used_at = used.t
    FROM used
   WHERE k.id = used.id AND k.last_used_at < used.t - interval '1 minute'`;

/**
 * Counts verifications of known keys per key, minute and outcome without a
 * database write per verification (Unkey's lesson): counts gather in memory
 * and are added to key_usage_minutes in one upsert every flush interval
 * (KEYSMITH_USAGE_FLUSH_MS) and on shutdown. The upsert adds, so instances
 * sharing a database add up exactly; an instance killed without shutting
 * down loses at most the counts of one interval. The same flush moves each
 * key's last_used_at (from its VALID verifications) in the same transaction.
 */
export class UsageRecorder {
  #pending: Counts = new Map();
  // the minute most verifications fall in, and its counts, looked up once per minute rather than per verification
  #minute = -1;
  #counts: Map<number, number> | undefined;
  // keyId → its latest VALID verification
  readonly #lastValid = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  // flushes under way: one that fails puts its batch back, which stop() must wait for to write it
  readonly #flushing = new Set<Promise<number>>();
  /** For operators (/metrics): flushes that wrote, that failed, and the seconds they took in all. */
  readonly stats = { flushes: 0, failures: 0, seconds: 0 };

  #counting: boolean | undefined;

  constructor(readonly flushEveryMs: () => number = () => authEnv.usageFlushMs()) {}

  /** Whether verifications are counted (KEYSMITH_USAGE_COUNTS, read on first use); off, only last used is kept. Settable for the benchmark's side-by-side rows. */
  get counting(): boolean {
    return (this.#counting ??= authEnv.usageCounting());
  }

  set counting(value: boolean) {
    this.#counting = value;
  }

  record(keyId: number, at: number, outcome: VerifyCode): void {
    if (this.counting) {
      const minute = at - (at % MINUTE_MS);
      let counts = this.#counts;
      if (minute !== this.#minute || !counts) {
        counts = this.#pending.get(minute);
        if (!counts) this.#pending.set(minute, (counts = new Map<number, number>()));
        this.#minute = minute;
        this.#counts = counts;
      }
      const slot = keyId * STRIDE + OUTCOME_INDEX[outcome];
      counts.set(slot, (counts.get(slot) ?? 0) + 1);
    }
    if (outcome === "VALID" && !(at <= (this.#lastValid.get(keyId) ?? -Infinity))) this.#lastValid.set(keyId, at);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.flush().catch(() => undefined), this.flushEveryMs());
      this.#timer.unref();
      onDisconnect(() => this.stop());
      startUsageMaintenance();
    }
  }

  /** How many (key, minute, outcome) counts wait to be written. */
  get pendingCount(): number {
    let total = 0;
    for (const counts of this.#pending.values()) total += counts.size;
    return total;
  }

  /** How many keys' last use waits to be written. */
  get pendingLastUsedCount(): number {
    return this.#lastValid.size;
  }

  /** Adds what is pending to the database in one transaction; returns how many counts it wrote. */
  async flush(): Promise<number> {
    const flushing = this.#flushPending();
    this.#flushing.add(flushing);
    try {
      return await flushing;
    } finally {
      this.#flushing.delete(flushing);
    }
  }

  async #flushPending(): Promise<number> {
    if (this.#pending.size === 0 && this.#lastValid.size === 0) return 0;
    const batch = this.#pending;
    const used = [...this.#lastValid];
    this.#pending = new Map();
    this.#minute = -1;
    this.#counts = undefined;
    this.#lastValid.clear();
    const started = performance.now();
    try {
      const written = await this.#write(batch, used);
      this.stats.flushes++;
      return written;
    } catch (error) {
      this.stats.failures++;
      // keep what was not written for the next try rather than lose it
      for (const [minute, counts] of batch) {
        let into = this.#pending.get(minute);
        if (!into) this.#pending.set(minute, (into = new Map<number, number>()));
        for (const [slot, count] of counts) into.set(slot, (into.get(slot) ?? 0) + count);
      }
      for (const [id, at] of used) if (!(at <= (this.#lastValid.get(id) ?? -Infinity))) this.#lastValid.set(id, at);
      throw error;
    } finally {
      this.stats.seconds += (performance.now() - started) / 1000;
    }
  }

  async #write(batch: Counts, used: [number, number][]): Promise<number> {
    const ids: number[] = [];
    const minutes: string[] = [];
    const outcomes: string[] = [];
    const counts: number[] = [];
    for (const [minute, slots] of batch) {
      // timestamp columns hold UTC; PostgreSQL ignores the Z when casting to timestamp
      const at = new Date(minute).toISOString();
      for (const [slot, count] of slots) {
        ids.push(Math.floor(slot / STRIDE));
        minutes.push(at);
        outcomes.push(OUTCOMES[slot % STRIDE] ?? "");
        counts.push(count);
      }
    }
    const usedIds = used.map(([id]) => id);
    const usedAt = used.map(([, at]) => new Date(at).toISOString());

    return inPoolTransaction(async (client) => {
      // a key deleted since its verification has no row to count against: the join leaves it out
      const added = ids.length > 0 ? await client.query(ADD_COUNTS, [ids, minutes, outcomes, counts]) : { rowCount: 0 };
      if (used.length > 0) {
        await client.query(FIRST_USES, [usedIds, usedAt]);
        await client.query(LATER_USES, [usedIds, usedAt]);
      }
      return added.rowCount ?? 0;
    });
  }

  /**
   * Stops the periodic flush and writes what is pending, trying a failed
   * write again (FINAL_FLUSH_TRIES, while FINAL_FLUSH_RETRY_WITHIN_MS
   * lasts). Counts it still cannot write are named in one line on stderr,
   * since a process that is ending has no later flush and no /metrics
   * scrape to show them. Never throws: the rest of the shutdown (other
   * closers, the pool) must still run.
   */
  async stop(): Promise<void> {
    const started = performance.now();
    clearInterval(this.#timer);
    this.#timer = undefined;
    // a periodic flush under way returns its batch to pending if it fails; the tries below must include it
    await Promise.allSettled(this.#flushing);
    for (let tries = 1; ; tries += 1) {
      try {
        await this.flush();
        return;
      } catch (error) {
        if (tries >= FINAL_FLUSH_TRIES || performance.now() - started > FINAL_FLUSH_RETRY_WITHIN_MS) {
          // counts and the message only: a pg error's other fields (detail, where) can quote the rows' values
          console.error(
            `keysmith: usage not written at shutdown after ${tries} failed ${tries === 1 ? "try" : "tries"} (counts: ${this.pendingCount}, keys' last use: ${this.pendingLastUsedCount}): ${error instanceof Error ? error.message : String(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, FINAL_FLUSH_PAUSE_MS * tries));
      }
    }
  }
}

export const usage = new UsageRecorder();
