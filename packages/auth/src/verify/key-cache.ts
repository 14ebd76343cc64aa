import { type Scope } from "@keysmith/validators";

import { type SessionUser } from "../sessions.ts";

/** What verification needs of a stored key, or the fact that there is none. */
export type KeyRecord =
  | {
      found: true;
      id: number;
      name: string;
      scopes: Scope[];
      expiresAt: number | null;
      revokedAt: number | null;
      rateLimitPerMinute: number | null;
      owner: SessionUser;
    }
  | { found: false };

/**
 * Verification results by key hash, bounded in entries and in age. Least
 * recently used entries go first. Exactness comes from invalidation (see
 * key-events.ts); the TTL only bounds the damage of a missed notification.
 */
export class KeyCache {
  readonly #entries = new Map<string, { record: KeyRecord; storedAt: number }>();

  constructor(
    readonly maxEntries = 10_000,
    readonly ttlMs = 30_000,
  ) {}

  get size() {
    return this.#entries.size;
  }

  get(hash: string, now: number): KeyRecord | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    if (now - entry.storedAt >= this.ttlMs) {
      this.#entries.delete(hash);
      return undefined;
    }
    // refresh its place in the LRU order
    this.#entries.delete(hash);
    this.#entries.set(hash, entry);
    return entry.record;
  }

  set(hash: string, record: KeyRecord, now: number): void {
    this.#entries.delete(hash);
    this.#entries.set(hash, { record, storedAt: now });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(hash: string): void {
    this.#entries.delete(hash);
  }

  clear(): void {
    this.#entries.clear();
  }
}
