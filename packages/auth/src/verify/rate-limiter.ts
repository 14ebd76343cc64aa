import { getPool, onDisconnect } from "@keysmith/db";

import { authEnv } from "../env.ts";
import { runPeriodically } from "../periodic.ts";

const WINDOW_MS = 60_000;

/** What a refused verification is told. */
export interface RateLimitRefusal {
  /** Seconds until a verification would be admitted, if no other were. */
  retryAfterSeconds: number;
}

/** One key's counts in the current window, as this instance knows them. */
interface KeyWindow {
  window: number;
  limit: number;
  /** The window's total across instances, as the database last answered (what this instance sent included). */
  shared: number;
  /** The previous window's total, for the sliding estimate. */
  previous: number;
  /** Admitted here and not yet sent. */
  unsent: number;
  /** Sent and not yet answered. */
  sending: number;
  /** The send in flight, which verifications over this instance's allowance wait for. */
  sent?: Promise<void>;
}

// Adds each key's admitted count to its window and reads back the window's
// total and the previous one's. Keys deleted meanwhile are skipped (the join),
// so one deleted key cannot fail the batch.
const ADD = {
  name: "keysmith_rate_add",
  text: `INSERT INTO rate_limit_windows (key_id, "window", count)
         SELECT v.key_id, v.w, v.n FROM unnest($1::int[], $2::int[], $3::int[]) AS v(key_id, w, n)
           JOIN api_keys k ON k.id = v.key_id
         ON CONFLICT (key_id, "window") DO UPDATE SET count = rate_limit_windows.count + EXCLUDED.count
         RETURNING key_id, "window", count,
                   (SELECT p.count FROM rate_limit_windows p WHERE p.key_id = rate_limit_windows.key_id AND p."window" = rate_limit_windows."window" - 1) AS previous`,
};

interface AddedRow {
  key_id: number;
  window: number;
  count: number;
  previous: number | null;
}

/**
 * Per-key verification limits that hold across every instance sharing the
 * database, in a sliding one-minute window estimated from two fixed ones
 * (this minute's count plus the last minute's, weighted by how much of it
 * the sliding window still covers), as Unkey does: no burst at the edge of a
 * minute.
 *
 * Each instance decides on its own, with no I/O, from the total the database
 * last reported plus what it admitted since; what it admitted is added to the
 * shared row in the background every KEYSMITH_RATE_SYNC_MS. To bound the
 * overshoot, an instance admits at most `allowance` verifications the
 * database has not yet counted: the next one waits for a send. Each instance
 * can therefore be ahead of the shared count by at most its allowance, and N
 * instances admit at most limit + N × allowance in a window, whatever the
 * sync interval (which sets only how often a lightly used key is written).
 * The allowance is 1% of the limit (at least 1), so three instances stay
 * within 3% of it.
 *
 * When the database cannot be reached, each instance goes on limiting with
 * what it knows: at worst the limit per instance, until the database is back.
 */
export class KeyRateLimiter {
  readonly #keys = new Map<number, KeyWindow>();
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #flushOnClose = false;

  /** The verifications an instance may admit beyond the database's count. */
  static allowance(limit: number): number {
    return Math.max(1, Math.floor(limit / 100));
  }

  /**
   * Counts one verification against `limit`: undefined when admitted, else
   * the refusal. Answers at once unless this instance has used its allowance,
   * then after a round trip to the database.
   */
  take(keyId: number, limit: number, now: number): RateLimitRefusal | undefined | Promise<RateLimitRefusal | undefined> {
    const state = this.#current(keyId, limit, now);
    const estimate = this.#estimate(state, now);
    if (estimate + 1 > limit) return { retryAfterSeconds: retryAfter(state, now) };
    if (state.unsent + state.sending >= KeyRateLimiter.allowance(limit)) {
      return this.#send(keyId, state).then(() => this.take(keyId, limit, now));
    }
    state.unsent += 1;
    this.#schedule();
    return undefined;
  }

  /** This window's count plus the part of the last one the sliding window still covers. */
  #estimate(state: KeyWindow, now: number): number {
    const covered = 1 - (now - state.window * WINDOW_MS) / WINDOW_MS;
    return state.shared + state.sending + state.unsent + state.previous * covered;
  }

  #current(keyId: number, limit: number, now: number): KeyWindow {
    const window = Math.floor(now / WINDOW_MS);
    const state = this.#keys.get(keyId);
    if (state && state.window === window) {
      state.limit = limit;
      return state;
    }
    // the last window's unsent counts still matter to every instance's sliding estimate: send them, after any send in flight
    if (state && state.unsent > 0) void this.#send(keyId, state).then(() => (state.unsent > 0 ? this.#add([[keyId, state]]) : undefined));
    const previous = state && state.window === window - 1 ? state.shared + state.sending + state.unsent : 0;
    const fresh: KeyWindow = { window, limit, shared: 0, previous, unsent: 0, sending: 0 };
    this.#keys.set(keyId, fresh);
    return fresh;
  }

  /** Sends one key's unsent count (or waits for the send in flight). */
  #send(keyId: number, state: KeyWindow): Promise<void> {
    if (state.sent) return state.sent;
    const sent = this.#add([[keyId, state]]).finally(() => {
      state.sent = undefined;
    });
    state.sent = sent;
    return sent;
  }

  /** Adds the unsent counts of `entries` in one statement and takes the totals back. */
  async #add(entries: [number, KeyWindow][]): Promise<void> {
    const counts = entries.map(([, state]) => state.unsent);
    for (const [, state] of entries) {
      state.sending += state.unsent;
      state.unsent = 0;
    }
    try {
      const { rows } = await getPool().query<AddedRow>({
        ...ADD,
        values: [entries.map(([id]) => id), entries.map(([, state]) => state.window), counts],
      });
      const totals = new Map(rows.map((row) => [`${row.key_id}:${row.window}`, row]));
      entries.forEach(([id, state], index) => {
        state.sending -= counts[index] ?? 0;
        const row = totals.get(`${id}:${state.window}`);
        // a deleted key has no row: keep counting locally until it leaves the cache
        state.shared = row ? Math.max(state.shared + (counts[index] ?? 0), row.count) : state.shared + (counts[index] ?? 0);
        if (row?.previous != null) state.previous = Math.max(state.previous, row.previous);
      });
      this.#failing = false;
    } catch (error) {
      // the database is unreachable: what was admitted still counts here
      entries.forEach(([, state], index) => {
        state.sending -= counts[index] ?? 0;
        state.shared += counts[index] ?? 0;
      });
      if (!this.#failing) {
        this.#failing = true;
        console.error(`keysmith: rate-limit counts could not be shared, limiting per instance until the database answers: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, authEnv.rateSyncMs());
    this.#timer.unref();
    if (!this.#flushOnClose) {
      // graceful shutdown: what was admitted reaches the shared count
      this.#flushOnClose = true;
      onDisconnect(async () => {
        this.#flushOnClose = false;
        await this.flush();
      });
    }
    runPeriodically("sweeping rate-limit windows", WINDOW_MS, () => sweepRateWindows(Date.now()));
  }

  /** Sends every unsent count now (the background sync, and graceful shutdown). */
  async flush(now = Date.now()): Promise<void> {
    const window = Math.floor(now / WINDOW_MS);
    const due: [number, KeyWindow][] = [];
    for (const [id, state] of this.#keys) {
      if (state.unsent > 0 && !state.sent) due.push([id, state]);
      // forget keys idle for two windows: their counts no longer matter
      else if (state.window < window - 1 && state.unsent === 0 && state.sending === 0) this.#keys.delete(id);
    }
    if (due.length > 0) await this.#add(due);
  }
}

/** Seconds until the sliding estimate has room for one more verification, if no other were admitted. */
function retryAfter(state: KeyWindow, now: number): number {
  const current = state.shared + state.sending + state.unsent;
  const room = state.limit - 1;
  let at: number;
  if (current <= room && state.previous > 0) {
    // later in this window, once the previous one's weight has fallen enough
    at = state.window + 1 - (room - current) / state.previous;
  } else {
    // in the next window, where this one's count is the weighted previous
    at = state.window + 1 + Math.max(0, 1 - room / Math.max(current, 1));
  }
  const seconds = ((at - state.window) * WINDOW_MS - (now - state.window * WINDOW_MS)) / 1000;
  // a whole second more only when the wait is more than a hair over one
  return Math.max(1, Math.ceil(seconds - 1e-6));
}

/** Deletes windows older than the previous one: every instance runs it, and a row is deleted once. */
export async function sweepRateWindows(now: number): Promise<number> {
  const result = await getPool().query(`DELETE FROM rate_limit_windows WHERE "window" < $1`, [Math.floor(now / WINDOW_MS) - 1]);
  return result.rowCount ?? 0;
}

export const keyRateLimiter = new KeyRateLimiter();
