import { type VerifiedKey } from "./verified-key.ts";

export interface CacheOptions {
  /**
   * How long a VALID answer is reused without asking Keysmith. This is also
   * how long a revoked, deleted or narrowed key keeps working on this
   * service: keep it short (seconds).
   */
  ttlMs: number;
  /** At most this many keys are remembered; the oldest is dropped first. 10,000 unless given. */
  maxEntries?: number;
}

export const DEFAULT_CACHE_ENTRIES = 10_000;

/** The longest `ttlMs`: a revoked key must stop working here some time (an Infinity from a config typo never would). */
export const MAX_CACHE_TTL_MS = 86_400_000;

const isWholeNumber = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

/** SHA-256 of the key, hex: the cache never holds a key itself, so a heap dump cannot give one away. Web Crypto, so it runs on edge runtimes too. */
export async function keyHash(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * VALID answers by key hash, each for at most `ttlMs` and never past the
 * key's own expiry. Only keys without credits are put here (see
 * `cacheable`): spending credits needs Keysmith every time.
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, { key: VerifiedKey; until: number }>();
  private readonly maxEntries: number;

  constructor(
    private readonly options: CacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    // a NaN (Number() of an unset variable) would make the cache unbounded, or keep a revoked key forever
    if (!isWholeNumber(options.ttlMs) || options.ttlMs < 1 || options.ttlMs > MAX_CACHE_TTL_MS) {
      throw new RangeError("cache.ttlMs must be a whole number of milliseconds from 1 to 86,400,000 (a day).");
    }
    const maxEntries = options.maxEntries ?? DEFAULT_CACHE_ENTRIES;
    if (!isWholeNumber(maxEntries) || maxEntries < 1) throw new RangeError("cache.maxEntries must be a whole number of at least 1.");
    this.maxEntries = maxEntries;
  }

  /** The key, as a copy of its own: a route that changes it (pushes a scope) changes nothing for the next request. */
  get(hash: string): VerifiedKey | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.until > this.now()) return { ...entry.key, scopes: [...entry.key.scopes] };
    this.entries.delete(hash);
    return undefined;
  }

  /**
   * Remembers a VALID answer until `ttlMs` after `askedAt`, when its verify
   * call started: Keysmith may have revoked the key at any moment after that,
   * so counting from the answer's arrival would let a slow answer stretch how
   * long a revoked key keeps working past `ttlMs`.
   */
  set(hash: string, key: VerifiedKey, askedAt: number = this.now()): void {
    const now = this.now();
    const expiry = key.expires_at === null ? Infinity : Date.parse(key.expires_at);
    const until = Math.min(askedAt + this.options.ttlMs, expiry);
    if (until <= now) return;
    this.entries.delete(hash);
    // a Map iterates in insertion order: the first entry is the oldest
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { key: { ...key, scopes: [...key.scopes] }, until });
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Whether a VALID answer may be reused. A key with credits may not: each use
 * must spend `cost` at Keysmith, which keeps the count exact across every
 * service and instance.
 */
export function cacheable(key: VerifiedKey): boolean {
  return key.remaining === null;
}
