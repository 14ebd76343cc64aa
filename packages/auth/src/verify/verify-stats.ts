import { type VerifyCode } from "@keysmith/validators";

/** Upper bounds (seconds) of the verify latency buckets: a warm verify takes microseconds, a cold one a database round trip. */
export const VERIFY_LATENCY_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] as const;

/**
 * What this process's verifications came to, kept as plain numbers so the
 * verify path pays a few additions, not a metrics library's bookkeeping:
 * whoever exports metrics (the /metrics endpoint) reads them when scraped.
 */
export class VerifyStats {
  readonly outcomes = new Map<VerifyCode, number>();
  /** Verifications answered from the key cache, and those that asked the database. */
  cacheHits = 0;
  cacheMisses = 0;
  /** Per bucket of VERIFY_LATENCY_BUCKETS, then one for slower ones: not cumulative. */
  readonly latencyBuckets = new Array<number>(VERIFY_LATENCY_BUCKETS.length + 1).fill(0);
  latencySumSeconds = 0;

  count(code: VerifyCode, seconds: number): void {
    this.outcomes.set(code, (this.outcomes.get(code) ?? 0) + 1);
    let bucket = 0;
    while (bucket < VERIFY_LATENCY_BUCKETS.length && seconds > (VERIFY_LATENCY_BUCKETS[bucket] ?? Infinity)) bucket++;
    this.latencyBuckets[bucket] = (this.latencyBuckets[bucket] ?? 0) + 1;
    this.latencySumSeconds += seconds;
  }
}

export const verifyStats = new VerifyStats();
