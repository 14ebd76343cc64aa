import { ASYNC_COMMIT_CTE, flushWalOrRetry, getPool, walFlushAvailable } from "@keysmith/db";
import { type Refill } from "@keysmith/validators";

// Spends `cost` credits if the key has them, applying a refill that is due
// first, in one statement: the row lock serialises instances, and PostgreSQL
// re-checks the condition on the row as the previous spender left it, so
// credits are never over-spent however many instances verify at once. A
// refill is due once a UTC day or month has begun after the last one.
// A rolled key's credits moved to its successor: the newest key of the
// lineage is the one that spends (a roll locks the row while it moves them).
//
// While another spend of this process is in flight, the statement commits
// asynchronously where the database allows, and VALID waits for the shared WAL
// flush instead (wal-flush.ts in @keysmith/db; docs/deploy.md, "Key creation,
// credits and the WAL flush"): a synchronous commit keeps the key's row locked
// until its flush is over, so each spender in line waited for the flushes of
// all those before it. A spend alone commits synchronously: one round trip,
// where the other way takes two.
const LINEAGE = `WITH RECURSIVE line(id) AS (
           SELECT $1::int
           UNION ALL
           SELECT k.id FROM api_keys k JOIN line ON k.replaces_id = line.id
         )`;
const SPEND = `UPDATE api_keys SET
           remaining = (CASE WHEN refill_interval IS NOT NULL AND refilled_at < date_trunc(refill_interval, $3::timestamp)
                             THEN refill_amount ELSE remaining END) - $2,
           refilled_at = CASE WHEN refill_interval IS NOT NULL AND refilled_at < date_trunc(refill_interval, $3::timestamp)
                              THEN date_trunc(refill_interval, $3::timestamp) ELSE refilled_at END
         WHERE id = (SELECT max(id) FROM line) AND remaining IS NOT NULL
           AND (CASE WHEN refill_interval IS NOT NULL AND refilled_at < date_trunc(refill_interval, $3::timestamp)
                     THEN refill_amount ELSE remaining END) >= $2
         RETURNING remaining`;
// the synchronous one as it always was; the asynchronous one with the UPDATE in a CTE beside ASYNC_COMMIT_CTE
const spendStatement = (asyncCommit: boolean) => ({
  name: asyncCommit ? "keysmith_spend_credits_async_commit" : "keysmith_spend_credits",
  text: asyncCommit ? `${LINEAGE}, spent AS (${SPEND}), ${ASYNC_COMMIT_CTE} SELECT remaining FROM spent, commit_mode` : `${LINEAGE}\n         ${SPEND}`,
});
const SPEND_ASYNC_COMMIT = spendStatement(true);
const SPEND_SYNC_COMMIT = spendStatement(false);
/** This process's spends between sending their statement and its answer. */
let spendsInFlight = 0;

// The credits of the newest key of a lineage: what a refused spend reports, what verification reads
// for a rolled key (whether it has credits, and its refill, are that key's), and what the key's own
// page shows for it (getApiKey in @keysmith/core).
const SPENDER = {
  name: "keysmith_credits_spender",
  text: `WITH RECURSIVE line(id) AS (SELECT $1::int UNION ALL SELECT k.id FROM api_keys k JOIN line ON k.replaces_id = line.id)
         SELECT remaining, refill_amount, refill_interval, (extract(epoch FROM refilled_at) * 1000)::float8 AS refilled_ms
           FROM api_keys WHERE id = (SELECT max(id) FROM line)`,
};

/** The credits columns of the key that spends for `keyId`: the newest of its lineage (itself, unless rolled). */
export interface SpenderCredits {
  remaining: number | null;
  refill_amount: number | null;
  refill_interval: Refill["interval"] | null;
  /** The start of the period of its last refill (UTC), in ms. */
  refilled_ms: number | null;
}

/** The credits of the key that spends for `keyId`, or undefined when the key is gone. */
export async function spenderCredits(keyId: number): Promise<SpenderCredits | undefined> {
  const { rows } = await getPool().query<SpenderCredits>({ ...SPENDER, values: [keyId] });
  return rows[0];
}

/**
 * Spent: the credits left after it, or null when the key spending has none to
 * spend (unlimited use); refused: the credits there are (fewer than `cost`).
 */
export type Spend = { spent: true; remaining: number | null } | { spent: false; remaining: number | null };

/**
 * Spends `cost` of a key's credits at `now` (UTC), or refuses when fewer are left. One write per call.
 * A rolled key whose successor has no credits (made unlimited after the roll, and the notification
 * for the rolled key not heard yet) is admitted with nothing spent, as its successor is.
 */
export async function spendCredits(keyId: number, cost: number, now: number): Promise<Spend> {
  const pool = getPool();
  // a timestamp without zone, read as UTC, like the column
  const at = new Date(now).toISOString().replace("Z", "");
  // alone, a spend commits synchronously (see spendStatement); a probe that fails (the database busy) is asked
  // again next time, and this spend commits synchronously, which is always correct
  const flushed = spendsInFlight > 0 && (await walFlushAvailable(pool).catch(() => false));
  spendsInFlight += 1;
  let rows: { remaining: number }[];
  try {
    ({ rows } = await pool.query<{ remaining: number }>({ ...(flushed ? SPEND_ASYNC_COMMIT : SPEND_SYNC_COMMIT), values: [keyId, cost, at] }));
  } finally {
    spendsInFlight -= 1;
  }
  if (rows[0]) {
    // Committed, not yet known to be on disk: the VALID waits for it. Should the flush fail twice, the
    // verification fails with the credit spent: one too few left, never one too many.
    if (flushed) await flushWalOrRetry(pool);
    return { spent: true, remaining: rows[0].remaining };
  }
  const spender = await spenderCredits(keyId);
  if (spender && spender.remaining === null) return { spent: true, remaining: null };
  return { spent: false, remaining: spender?.remaining ?? null };
}
