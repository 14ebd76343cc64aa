import { getPool, inPoolTransaction, type PoolClient } from "@keysmith/db";
import { KeysmithError } from "@keysmith/validators";

import { runPeriodically } from "./periodic.ts";
import { untilNone } from "./until-none.ts";

const MINUTE = 60 * 1000;

/** Documented in the README ("Limits"). */
export const LOGIN_LIMITS = {
  /** Failures older than this no longer count. */
  windowMs: 15 * MINUTE,
  /** Failures for one account from one address before that pair is refused. */
  perPair: 5,
  /** Failures from one address, across accounts, before the address is refused. */
  perAddress: 20,
  /** Failures for one account, across addresses, before the account is slowed. */
  slowAfter: 50,
  /** A slowed account admits one attempt this often from all addresses without a recent success together. */
  slowEveryMs: 5 * 1000,
  /** How long a successful login exempts its address from that account's slowdown: a web session's life. */
  knownForMs: 30 * 24 * 60 * MINUTE,
} as const;

export type LoginLimits = { readonly [K in keyof typeof LOGIN_LIMITS]: number };

/** One admitted attempt; exactly one of failed and succeeded is called, or neither, and end always. Each writes once, then does nothing. */
export interface LoginAttempt {
  /** The password was wrong, or no account has that name. */
  failed(): Promise<void>;
  /** Clears the pair's failures and exempts the address from this account's slowdown. */
  succeeded(): Promise<void>;
  /** Stops counting the attempt as under way (it ended without failing); safe to call again. */
  end(): Promise<void>;
}

/** How often each instance deletes rows that no longer count (any instance may; a row is deleted once). */
export const LOGIN_THROTTLE_SWEEP_EVERY_MS = 5 * MINUTE;

/** The advisory-lock class of the login throttle's per-address locks (two-key form: apart from any one-key lock). */
const ADDRESS_LOCK_CLASS = 0x4b4c; // "KL"

/** A caller's time as the columns hold it: UTC without a zone (PostgreSQL ignores the Z when casting to timestamp). */
const stamp = (ms: number) => new Date(ms).toISOString();
/** A timestamp column as epoch milliseconds, read as UTC whatever the process's zone. */
const epochMs = (column: string) => `(EXTRACT(EPOCH FROM ${column}) * 1000)::float8`;

/**
 * The latest recorded failures matching `where` (at most `limit` of them, the
 * newest first) as `<name>_failed` (how many) and `<name>_oldest` (the oldest
 * of them), and `<name>_counted`: those plus attempts still under way, again
 * at most `limit`. Each LIMIT bounds the rows read, however many there are.
 */
const windowOf = (name: string, where: string, limit: string) => `
  (SELECT count(*)::int AS ${name}_failed, ${epochMs("min(at)")} AS ${name}_oldest
     FROM (SELECT at FROM login_failures WHERE ${where} AND NOT pending ORDER BY at DESC LIMIT ${limit}) AS latest) AS ${name}_recorded,
  (SELECT count(*)::int AS ${name}_counted FROM (SELECT 1 FROM login_failures WHERE ${where} LIMIT ${limit}) AS latest) AS ${name}_all`;

/** A connection of the raw pool, for the admission's transaction. */

/** A key's failures in the window: see windowOf. */
interface Window {
  failed: number;
  oldest: number | null;
  counted: number;
}

interface AddressCounts {
  address_failed: number;
  address_oldest: number | null;
  address_counted: number;
}

// $1 address, $2 the window's start, $3 perAddress
const ADDRESS_COUNTS = `SELECT * FROM ${windowOf("address", "address = $1 AND at > $2::timestamp", "$3")}`;

interface AttemptCounts extends AddressCounts {
  pair_failed: number;
  pair_oldest: number | null;
  pair_counted: number;
  account_failed: number;
  known: boolean;
}

// $1 account, $2 address, $3 the window's start, $4 the oldest success that still exempts, $5 perPair, $6 perAddress, $7 slowAfter
const ATTEMPT_COUNTS = `
SELECT * FROM
  ${windowOf("address", "address = $2 AND at > $3::timestamp", "$6")},
  -- a success clears the pair: only its later failures count
  ${windowOf("pair", "address = $2 AND account = $1 AND at > GREATEST($3::timestamp, (SELECT at FROM login_successes WHERE account = $1 AND address = $2))", "$5")},
  (SELECT count(*)::int AS account_failed
     FROM (SELECT 1 FROM login_failures WHERE account = $1 AND at > $3::timestamp AND NOT pending LIMIT $7) AS latest) AS account,
  (SELECT EXISTS (SELECT 1 FROM login_successes WHERE account = $1 AND address = $2 AND at > $4::timestamp) AS known) AS known`;

// the account's one shared turn, taken atomically by whichever instance gets there first; $3 is now less slowEveryMs
const TAKE_TURN = `
INSERT INTO login_slow_turns (account, at) VALUES ($1, $2::timestamp)
ON CONFLICT (account) DO UPDATE SET at = EXCLUDED.at WHERE login_slow_turns.at <= $3::timestamp
RETURNING account`;

// the attempt's pending row goes, and the pair's success moves forward (never back: that would count cleared failures again)
const SUCCEEDED = `
WITH attempt AS (DELETE FROM login_failures WHERE id = $1)
INSERT INTO login_successes (account, address, at) VALUES ($2, $3, $4::timestamp)
ON CONFLICT (account, address) DO UPDATE SET at = GREATEST(login_successes.at, EXCLUDED.at)`;

/**
 * Failed logins, limited so that guessing is slow and an attacker still
 * cannot lock the owner out: a wrong password refuses only the pair of that
 * account and that address, and the address itself across accounts. Many
 * addresses guessing at one account only slow it, and never for an address
 * it logged in from recently. `account` is whatever names the account (the
 * user's id, or the typed name when it matches no one), so a name that
 * exists and one that does not are answered alike.
 *
 * Shared by every instance through PostgreSQL: a failure is a row of
 * login_failures, written as `pending` when the attempt is admitted (so it
 * counts while being checked) and kept as a failure, or deleted when the
 * attempt ends otherwise. Admission is one transaction that first takes an
 * advisory lock on the address, so no two instances admit past a limit of it.
 * Every time is the caller's `now`, never the database's clock.
 */
export class LoginThrottle {
  constructor(readonly limits: LoginLimits = LOGIN_LIMITS) {}

  /** Refuses (429) an address over its limit; sign-up asks this before it creates anything. */
  async checkAddress(address: string, now: number): Promise<void> {
    const { rows } = await getPool().query<AddressCounts>(ADDRESS_COUNTS, [address, stamp(now - this.limits.windowMs), this.limits.perAddress]);
    this.#refuseAddress(rows[0], now);
  }

  /** Admits one attempt at `account` from `address`, or refuses it (429). */
  async begin(account: string, address: string, now: number): Promise<LoginAttempt> {
    const { limits } = this;
    runPeriodically("sweeping the login throttle", LOGIN_THROTTLE_SWEEP_EVERY_MS, () => sweepLoginThrottle(new Date(), limits));
    const id = await inPoolTransaction(async (client) => {
      // every attempt locks its address first: the counts below and the pending row after them are one step for every instance
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [ADDRESS_LOCK_CLASS, address]);
      const { rows } = await client.query<AttemptCounts>(ATTEMPT_COUNTS, [
        account,
        address,
        stamp(now - limits.windowMs),
        stamp(now - limits.knownForMs),
        limits.perPair,
        limits.perAddress,
        limits.slowAfter,
      ]);
      const counts = rows[0];
      if (!counts) throw new Error("the login throttle's counts came back empty");
      this.#refuseAddress(counts, now);
      const wait = retryAfterSeconds({ failed: counts.pair_failed, oldest: counts.pair_oldest, counted: counts.pair_counted }, limits.perPair, limits.windowMs, now);
      if (wait > 0) throw throttledError(wait, "for this account from your address");
      if (counts.account_failed >= limits.slowAfter && !counts.known) await this.#takeSlowedTurn(client, account, now);
      const inserted = await client.query<{ id: string }>(
        "INSERT INTO login_failures (account, address, at, pending) VALUES ($1, $2, $3::timestamp, true) RETURNING id",
        [account, address, stamp(now)],
      );
      return inserted.rows[0]?.id ?? "";
    });

    let open = true;
    // once: a second call (end after failed, say) writes nothing; a write that fails leaves the row pending, counted until it leaves the window
    const finish = async (statement: string, values: unknown[]) => {
      if (!open) return;
      open = false;
      await getPool().query(statement, values);
    };
    return {
      failed: () => finish("UPDATE login_failures SET pending = false WHERE id = $1", [id]),
      // the account's count stays: the attacker's failures did not stop because the owner got in
      succeeded: () => finish(SUCCEEDED, [id, account, address, stamp(now)]),
      end: () => finish("DELETE FROM login_failures WHERE id = $1", [id]),
    };
  }

  #refuseAddress(counts: AddressCounts | undefined, now: number): void {
    if (!counts) return; // aggregates always answer one row
    const { perAddress, windowMs } = this.limits;
    const wait = retryAfterSeconds({ failed: counts.address_failed, oldest: counts.address_oldest, counted: counts.address_counted }, perAddress, windowMs, now);
    if (wait > 0) throw throttledError(wait, "from your address");
  }

  async #takeSlowedTurn(client: PoolClient, account: string, now: number): Promise<void> {
    const { slowEveryMs } = this.limits;
    const taken = await client.query(TAKE_TURN, [account, stamp(now), stamp(now - slowEveryMs)]);
    if ((taken.rowCount ?? 0) > 0) return;
    const { rows } = await client.query<{ last: number }>(`SELECT ${epochMs("at")} AS last FROM login_slow_turns WHERE account = $1`, [account]);
    const last = rows[0]?.last ?? now;
    const wait = Math.max(1, Math.ceil((last + slowEveryMs - now) / 1000));
    throw new KeysmithError(
      "TOO_MANY_REQUESTS",
      `This account has had many failed login attempts, so addresses that have not logged in to it recently may try it only once every ${duration(slowEveryMs / 1000)}. Try again in ${duration(wait)}.`,
      { retryAfterSeconds: wait },
    );
  }
}

/**
 * Seconds until a key whose window has `failed` recorded failures (the
 * oldest of the latest `max` at `oldest`) and `counted` with those still
 * under way may try again, or 0 when it may now: at `max` failures, until the oldest of them
 * leaves the window; short of them, 1 s while attempts under way could make
 * up the rest (without this, a burst sent at once would all pass the check).
 */
function retryAfterSeconds({ failed, oldest, counted }: Window, max: number, windowMs: number, now: number): number {
  if (failed >= max) return Math.max(1, Math.ceil(((oldest ?? now) + windowMs - now) / 1000));
  return counted >= max ? 1 : 0;
}

// 5,000 rows a statement (see untilNone); a row matched here no longer counts for anything
const SWEEP_FAILURES = `DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at <= $1::timestamp LIMIT 5000)`;
const SWEEP_SUCCESSES = `DELETE FROM login_successes WHERE (account, address) IN (SELECT account, address FROM login_successes WHERE at <= $1::timestamp LIMIT 5000)`;
const SWEEP_TURNS = `DELETE FROM login_slow_turns WHERE account IN (SELECT account FROM login_slow_turns WHERE at <= $1::timestamp LIMIT 5000)`;

/**
 * Deletes what no longer counts: failures (and attempts left pending by an
 * instance that stopped mid-check) older than the window, successes older
 * than the exemption, turns older than the turn. Returns how many rows. Safe
 * on every instance at once.
 */
export async function sweepLoginThrottle(now: Date, limits: LoginLimits = LOGIN_LIMITS): Promise<number> {
  const at = now.getTime();
  const failures = await untilNone(SWEEP_FAILURES, [stamp(at - limits.windowMs)]);
  const successes = await untilNone(SWEEP_SUCCESSES, [stamp(at - limits.knownForMs)]);
  const turns = await untilNone(SWEEP_TURNS, [stamp(at - limits.slowEveryMs)]);
  return failures + successes + turns;
}

function duration(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "a second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}

function throttledError(retryAfterSeconds: number, scope: string): KeysmithError {
  return new KeysmithError("TOO_MANY_REQUESTS", `Too many failed login attempts ${scope}. Try again in ${duration(retryAfterSeconds)}.`, {
    retryAfterSeconds,
  });
}
