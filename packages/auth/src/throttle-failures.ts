export interface ThrottleRule {
  /** Failures allowed within `windowMs` before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failures per key in a sliding window: a key with too many recent
 * failures is refused until the oldest of them leaves the window, and
 * attempts still being checked count too, while they are. Only failures
 * count, so a caller with a real credential is never slowed. In memory, per
 * instance, bounded: used for Bearer values that name nothing, per address
 * (throttle.ts). Failed logins are counted in PostgreSQL instead, shared by
 * every instance (login-throttle.ts).
 */
export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #pending = new Map<string, number>();

  constructor(
    readonly rule: ThrottleRule,
    private readonly maxKeys = 50_000,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfterSeconds(key: string, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length >= this.rule.maxFailures) {
      const oldest = recent[recent.length - this.rule.maxFailures] ?? now;
      return Math.max(1, Math.ceil((oldest + this.rule.windowMs - now) / 1000));
    }
    // attempts still being checked may all be failures: without this, a burst sent at once would all pass the check
    return recent.length + (this.#pending.get(key) ?? 0) >= this.rule.maxFailures ? 1 : 0;
  }

  recordFailure(key: string, now: number): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    this.#failures.delete(key); // re-insert: the map's order is least recently failed first
    this.#failures.set(key, recent.slice(-this.rule.maxFailures));
    if (this.#failures.size > this.maxKeys) {
      const oldestKey = this.#failures.keys().next().value;
      if (oldestKey !== undefined) this.#failures.delete(oldestKey);
    }
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  /** An attempt for `key` is under way: it counts against the limit until `endAttempt`. */
  startAttempt(key: string): void {
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
  }

  endAttempt(key: string): void {
    const left = (this.#pending.get(key) ?? 0) - 1;
    if (left > 0) this.#pending.set(key, left);
    else this.#pending.delete(key);
  }

  #recent(key: string, now: number): number[] {
    const all = this.#failures.get(key) ?? [];
    return all.filter((at) => at > now - this.rule.windowMs);
  }
}
