import { KeysmithError } from "@keysmith/validators";

export interface ThrottleRule {
  /** Failures allowed within `windowMs` before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failed logins per key (an account, a client address) in a sliding
 * window. Only failures count, so a person who types their password right is
 * never slowed; a key with too many recent failures is refused until the
 * oldest of them leaves the window. In memory, per instance, bounded.
 */
export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly rule: ThrottleRule,
    private readonly maxKeys = 50_000,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfterSeconds(key: string, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < this.rule.maxFailures) return 0;
    const oldest = recent[recent.length - this.rule.maxFailures] ?? now;
    return Math.max(1, Math.ceil((oldest + this.rule.windowMs - now) / 1000));
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

  #recent(key: string, now: number): number[] {
    const all = this.#failures.get(key) ?? [];
    return all.filter((at) => at > now - this.rule.windowMs);
  }
}

/** Default limits, documented in the README ("Limits"). */
export const loginThrottles = {
  perAccount: new FailureThrottle({ maxFailures: 5, windowMs: 15 * 60 * 1000 }),
  perClient: new FailureThrottle({ maxFailures: 20, windowMs: 15 * 60 * 1000 }),
};

/**
 * Bearer values that name no token or key, per client address: 30 a minute,
 * then refused without a lookup until the oldest leaves the window
 * (resolve-principal.ts). A real credential never counts.
 */
export const bearerFailures = new FailureThrottle({ maxFailures: 30, windowMs: 60 * 1000 });

export function throttledError(retryAfterSeconds: number): KeysmithError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new KeysmithError(
    "TOO_MANY_REQUESTS",
    `Too many failed login attempts. Try again in ${minutes === 1 ? "a minute" : `${minutes} minutes`}.`,
    { retryAfterSeconds },
  );
}
