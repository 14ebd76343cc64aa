import { type Scope } from "@keysmith/validators";

import { type SessionUser } from "../sessions.ts";
import { Lru } from "../lru.ts";

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

/** A lookup in flight, and whether the key was invalidated while it was. */
export interface LookupTicket {
  readonly hash: string;
  readonly epoch: number;
  readonly watch: { invalidated: boolean; pending: number };
}

/**
 * Verification results by key hash. Exactness comes from invalidation (see
 * key-events.ts); the TTL only bounds the damage of a missed notification.
 *
 * Two rules keep it exact and unfloodable:
 * - Known keys and "no such key" answers live in separate LRUs. Anyone can
 *   invent well-formed keys (the checksum only catches typos), so unknown keys
 *   may evict each other but never a real key.
 * - A lookup that was in flight when its key was invalidated (or the whole
 *   cache cleared) is answered but not cached: the row it read may be the one
 *   the invalidation replaced.
 */
export class KeyCache {
  readonly known: Lru<Extract<KeyRecord, { found: true }>>;
  readonly unknown: Lru<Extract<KeyRecord, { found: false }>>;
  readonly #inFlight = new Map<string, LookupTicket["watch"]>();
  /** Bumped by clear(): tickets from before it cache nothing. */
  #epoch = 0;

  constructor(options: { maxKnown?: number; maxUnknown?: number; ttlMs?: number } = {}) {
    const ttl = options.ttlMs ?? 30_000;
    this.known = new Lru(options.maxKnown ?? 10_000, ttl);
    this.unknown = new Lru(options.maxUnknown ?? 10_000, ttl);
  }

  /** Cached known keys (the figure /healthz reports). */
  get size() {
    return this.known.size;
  }

  get(hash: string, now: number): KeyRecord | undefined {
    return this.known.get(hash, now) ?? this.unknown.get(hash, now);
  }

  /** Call before reading the database for `hash`; hand the ticket to settle(). */
  beginLookup(hash: string): LookupTicket {
    let watch = this.#inFlight.get(hash);
    if (!watch) {
      watch = { invalidated: false, pending: 0 };
      this.#inFlight.set(hash, watch);
    }
    watch.pending += 1;
    return { hash, epoch: this.#epoch, watch };
  }

  /** Ends a lookup; caches its record unless the key was invalidated meanwhile. `record` undefined: it failed. */
  settle(ticket: LookupTicket, record: KeyRecord | undefined, now: number): void {
    ticket.watch.pending -= 1;
    if (ticket.watch.pending === 0 && this.#inFlight.get(ticket.hash) === ticket.watch) this.#inFlight.delete(ticket.hash);
    if (!record || ticket.watch.invalidated || ticket.epoch !== this.#epoch) return;
    if (record.found) this.known.set(ticket.hash, record, now);
    else this.unknown.set(ticket.hash, record, now);
  }

  delete(hash: string): void {
    this.known.delete(hash);
    this.unknown.delete(hash);
    const watch = this.#inFlight.get(hash);
    if (watch) {
      watch.invalidated = true;
      // later lookups of this hash read after the change: watch them afresh
      this.#inFlight.delete(hash);
    }
  }

  clear(): void {
    this.known.clear();
    this.unknown.clear();
    this.#inFlight.clear();
    this.#epoch += 1;
  }
}
