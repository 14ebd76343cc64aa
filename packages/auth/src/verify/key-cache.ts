import { type Refill, type Scope } from "@keysmith/validators";

import { InvalidatedCache } from "../invalidated-cache.ts";
import { type SessionUser } from "../sessions.ts";

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
}
