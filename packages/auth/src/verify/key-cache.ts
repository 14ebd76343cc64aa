import { type Refill, type Scope } from "@keysmith/validators";

import { InvalidatedCache, type LookupTicket } from "../invalidated-cache.ts";
import { type SessionUser } from "../sessions.ts";
import { ownerReadAt } from "./owner-cache.ts";

export type { LookupTicket } from "../invalidated-cache.ts";

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
      /** Has credits: each VALID verification spends in the database (the count itself is not cached). */
      credited: boolean;
      refill: Refill | null;
      owner: SessionUser;
    }
  | { found: false };

type FoundKey = Extract<KeyRecord, { found: true }>;

/**
 * Verification results by key hash (see InvalidatedCache). Anyone can invent
 * well-formed keys (the checksum only catches typos), so "no such key"
 * answers may evict each other but never a real key.
 */
export class KeyCache extends InvalidatedCache<FoundKey, Extract<KeyRecord, { found: false }>> {
  constructor(options: { maxKnown?: number; maxUnknown?: number; ttlMs?: number } = {}) {
    super((record): record is FoundKey => record.found, {
      maxKnown: options.maxKnown ?? 10_000,
      maxUnknown: options.maxUnknown ?? 10_000,
      ttlMs: options.ttlMs ?? 30_000,
    });
  }

  /** A key is cached as old as the owner it carries: when that owner came from the owner cache, read earlier, its entry is dated then. */
  override settle(ticket: LookupTicket, value: KeyRecord | undefined, now: number): void {
    const ownerRead = value?.found ? ownerReadAt(value.owner) : undefined;
    super.settle(ticket, value, ownerRead !== undefined && ownerRead < now ? ownerRead : now);
  }
}
