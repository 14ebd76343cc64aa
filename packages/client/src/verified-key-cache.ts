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
    if (!(options.ttlMs > 0)) throw new RangeError("cache.ttlMs must be a positive number of milliseconds.");
    this.maxEntries = options.maxEntries ?? DEFAULT_CACHE_ENTRIES;
  }

  get(hash: string): VerifiedKey | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.key;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, key: VerifiedKey): void {
    const now = this.now();
    const expiry = key.expires_at === null ? Infinity : Date.parse(key.expires_at);
    const until = Math.min(now + this.options.ttlMs, expiry);
    if (until <= now) return;
    this.entries.delete(hash);
    // a Map iterates in insertion order: the first entry is the oldest
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { key, until });
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
