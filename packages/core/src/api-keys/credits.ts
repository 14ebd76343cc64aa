import { type ApiKey } from "@keysmith/db";
import { type Refill, REFILL_INTERVALS } from "@keysmith/validators";

/** The columns that hold a key's credits and refill. */
export type CreditFields = Pick<ApiKey, "remaining" | "refillAmount" | "refillInterval" | "refilledAt">;

/** The key's refill, or null. */
export function refillOf(row: CreditFields): Refill | null {
  const interval = REFILL_INTERVALS.find((known) => known === row.refillInterval);
  return row.refillAmount !== null && interval ? { amount: row.refillAmount, interval } : null;
}

/** The start (UTC) of the day or month `now` is in: when a refill made then counts from. */
export function periodStart(interval: Refill["interval"], now: Date): Date {
  return interval === "day"
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * The credits a key has at `now`, as its owner should see them: a refill that
 * is due is applied by the next verification (verify/credits.ts in
 * @keysmith/auth), but it is already the key's.
 */
export function creditsAt(row: CreditFields, now: Date): number | null {
  const refill = refillOf(row);
  if (row.remaining === null || !refill) return row.remaining;
  const due = !row.refilledAt || row.refilledAt < periodStart(refill.interval, now);
  return due ? refill.amount : row.remaining;
}

/** The columns that give a key `remaining` credits and `refill` from `now` on. */
export function creditColumns(remaining: number | null, refill: Refill | null, now: Date): CreditFields {
  // no credits, nothing to refill
  const kept = remaining === null ? null : refill;
  return {
    remaining,
    refillAmount: kept?.amount ?? null,
    refillInterval: kept?.interval ?? null,
    refilledAt: kept ? periodStart(kept.interval, now) : null,
  };
}

/** Whether `refill` gives no more than `bound` does: the same interval and no larger amount (no bound refill: any refill is more). */
export function refillWithin(refill: Refill, bound: Refill | null): boolean {
  return bound !== null && bound.interval === refill.interval && refill.amount <= bound.amount;
}

/** A refill as the audit log records it: "1000 a month". */
export function refillText(refill: Refill | null): string | null {
  return refill ? `${refill.amount} a ${refill.interval}` : null;
}
