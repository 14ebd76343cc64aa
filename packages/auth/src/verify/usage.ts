import { getPool, onDisconnect } from "@keysmith/db";
import { type VerifyCode } from "@keysmith/validators";

import { authEnv } from "../env.ts";

const MINUTE_MS = 60_000;

/**
 * Counts verifications of known keys per key, minute and outcome without a
 * database write per verification (Unkey's lesson): counts gather in memory
 * and are added to key_usage_minutes in one upsert every flush interval
 * (KEYSMITH_USAGE_FLUSH_MS) and on shutdown. The upsert adds, so instances
 * sharing a database add up exactly; an instance killed without shutting
 * down loses at most the counts of one interval.
 */
export class UsageRecorder {
  // "keyId minute outcome" → count
  readonly #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  /** For operators (/metrics): flushes that wrote, that failed, and the seconds they took in all. */
  readonly stats = { flushes: 0, failures: 0, seconds: 0 };

  constructor(readonly flushEveryMs: () => number = () => authEnv.usageFlushMs()) {}

  record(keyId: number, at: number, outcome: VerifyCode): void {
    const slot = `${keyId} ${at - (at % MINUTE_MS)} ${outcome}`;
    this.#pending.set(slot, (this.#pending.get(slot) ?? 0) + 1);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.flush().catch(() => undefined), this.flushEveryMs());
      this.#timer.unref();
      onDisconnect(() => this.stop());
    }
  }

  /** How many (key, minute, outcome) counts wait to be written. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Adds what is pending to the database in one statement; returns how many counts it wrote. */
  async flush(): Promise<number> {
    if (this.#pending.size === 0) return 0;
    const batch = [...this.#pending];
    this.#pending.clear();
    const ids: number[] = [];
    const minutes: string[] = [];
    const outcomes: string[] = [];
    const counts: number[] = [];
    for (const [slot, count] of batch) {
      const [id, minute, outcome] = slot.split(" ");
      ids.push(Number(id));
      // timestamp columns hold UTC; PostgreSQL ignores the Z when casting to timestamp
      minutes.push(new Date(Number(minute)).toISOString());
      outcomes.push(outcome ?? "");
      counts.push(count);
    }
    const started = performance.now();
    try {
      // a key deleted since its verification has no row to count against: the join leaves it out
      const result = await getPool().query(
        `INSERT INTO key_usage_minutes (key_id, minute, outcome, count)
         SELECT v.id, v.minute, v.outcome, v.count
           FROM unnest($1::int[], $2::timestamp[], $3::text[], $4::bigint[]) AS v(id, minute, outcome, count)
           JOIN api_keys k ON k.id = v.id
         ON CONFLICT (key_id, minute, outcome) DO UPDATE SET count = key_usage_minutes.count + EXCLUDED.count`,
        [ids, minutes, outcomes, counts],
      );
      this.stats.flushes++;
      return result.rowCount ?? 0;
    } catch (error) {
      this.stats.failures++;
      // keep the counts for the next try rather than lose them
      for (const [slot, count] of batch) this.#pending.set(slot, (this.#pending.get(slot) ?? 0) + count);
      throw error;
    } finally {
      this.stats.seconds += (performance.now() - started) / 1000;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush().catch(() => undefined);
  }
}

export const usage = new UsageRecorder();
