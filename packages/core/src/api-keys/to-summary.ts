import { type ApiKey } from "@keysmith/db";
import { type ApiKeySummary, type KeyLeak, type LeakSource, type Scope } from "@keysmith/validators";

import { creditsAt, refillOf } from "./credits.ts";
import { statusOf } from "./key-status.ts";

function leakOf(row: ApiKey): KeyLeak | null {
  if (!row.leakedAt) return null;
  return {
    at: row.leakedAt.toISOString(),
    // the database allows only these two (a check constraint)
    source: row.leakSource as LeakSource,
    location: row.leakLocation,
    url: row.leakUrl,
    acknowledged: row.leakAcknowledgedAt !== null,
  };
}

/** What an owner may see of a stored key at `now`: everything but its hash. */
export function toSummary(row: ApiKey, now: Date): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    partialKey: `${row.prefix}…`,
    // the database holds only scopes that passed ZScope at creation
    scopes: row.scopes as Scope[],
    rateLimitPerMinute: row.rateLimitPerMinute,
    remaining: creditsAt(row, now),
    refill: refillOf(row),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status: statusOf(row, now),
    replacesId: row.replacesId,
    leak: leakOf(row),
    foreign: row.foreign,
  };
}
