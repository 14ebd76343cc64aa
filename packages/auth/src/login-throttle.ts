import { KeysmithError } from "@keysmith/validators";

import { FailureThrottle } from "./throttle-failures.ts";
import { Lru } from "./lru.ts";

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

/** One admitted attempt; exactly one of failed and succeeded is called, or neither, and end always. */
export interface LoginAttempt {
  /** The password was wrong, or no account has that name. */
  failed(): void;
  /** Clears the pair's failures and exempts the address from this account's slowdown. */
  succeeded(): void;
  /** Stops counting the attempt as under way; safe to call again. */
  end(): void;
}

/**
 * Failed logins, limited so that guessing is slow and an attacker still
 * cannot lock the owner out: a wrong password refuses only the pair of that
 * account and that address, and the address itself across accounts. Many
 * addresses guessing at one account only slow it, and never for an address
 * it logged in from recently. `account` is whatever names the account (the
 * user's id, or the typed name when it matches no one), so a name that
 * exists and one that does not are answered alike.
 */
export class LoginThrottle {
  readonly #pairs: FailureThrottle;
  readonly #addresses: FailureThrottle;
  readonly #accounts: FailureThrottle;
  // values are times; the LRU also forgets a success once it no longer exempts, and a turn once it has passed
  readonly #lastSuccess: Lru<number>;
  readonly #lastSlowedAttempt: Lru<number>;

  constructor(readonly limits: LoginLimits = LOGIN_LIMITS) {
    this.#pairs = new FailureThrottle({ maxFailures: limits.perPair, windowMs: limits.windowMs });
    this.#addresses = new FailureThrottle({ maxFailures: limits.perAddress, windowMs: limits.windowMs });
    // each key holds up to 50 timestamps: fewer keys keep it small
    this.#accounts = new FailureThrottle({ maxFailures: limits.slowAfter, windowMs: limits.windowMs }, 20_000);
    this.#lastSuccess = new Lru(100_000, limits.knownForMs);
    this.#lastSlowedAttempt = new Lru(50_000, limits.slowEveryMs);
  }

  /** Refuses (429) an address over its limit; sign-up asks this before it creates anything. */
  checkAddress(address: string, now: number): void {
    const wait = this.#addresses.retryAfterSeconds(address, now);
    if (wait > 0) throw throttledError(wait, "from your address");
  }

  /** Admits one attempt at `account` from `address`, or refuses it (429). */
  begin(account: string, address: string, now: number): LoginAttempt {
    const pair = JSON.stringify([account, address]);
    this.checkAddress(address, now);
    const wait = this.#pairs.retryAfterSeconds(pair, now);
    if (wait > 0) throw throttledError(wait, "for this account from your address");
    if (this.#accounts.retryAfterSeconds(account, now) > 0 && !this.#knows(pair, now)) this.#takeSlowedTurn(account, now);

    this.#pairs.startAttempt(pair);
    this.#addresses.startAttempt(address);
    let open = true;
    const end = () => {
      if (!open) return;
      open = false;
      this.#pairs.endAttempt(pair);
      this.#addresses.endAttempt(address);
    };
    return {
      failed: () => {
        end();
        this.#pairs.recordFailure(pair, now);
        this.#addresses.recordFailure(address, now);
        this.#accounts.recordFailure(account, now);
      },
      succeeded: () => {
        end();
        // the account's count stays: the attacker's failures did not stop because the owner got in
        this.#pairs.reset(pair);
        this.#lastSuccess.set(pair, now, now);
      },
      end,
    };
  }

  #knows(pair: string, now: number): boolean {
    return this.#lastSuccess.get(pair, now) !== undefined;
  }

  #takeSlowedTurn(account: string, now: number): void {
    const last = this.#lastSlowedAttempt.get(account, now);
    if (last !== undefined && now < last + this.limits.slowEveryMs) {
      const wait = Math.max(1, Math.ceil((last + this.limits.slowEveryMs - now) / 1000));
      throw new KeysmithError(
        "TOO_MANY_REQUESTS",
        `This account has had many failed login attempts, so addresses that have not logged in to it recently may try it only once every ${duration(this.limits.slowEveryMs / 1000)}. Try again in ${duration(wait)}.`,
        { retryAfterSeconds: wait },
      );
    }
    this.#lastSlowedAttempt.set(account, now, now);
  }
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
