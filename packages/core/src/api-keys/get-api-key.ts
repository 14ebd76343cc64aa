import { type Principal, spenderCredits } from "@keysmith/auth";
import { type ApiKey, getDb } from "@keysmith/db";
import { type ApiKeyDetail } from "@keysmith/validators";

import { type CreditFields, creditsAt, refillOf } from "./credits.ts";
import { noSuchKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

function link(row: ApiKey | null, now: Date): ApiKeyDetail["replaces"] {
  if (!row) return null;
  const { id, name, partialKey, status } = toSummary(row, now);
  return { id, name, partialKey, status };
}

/** A rolled key's credit columns as its verifications spend them: its lineage's newest key's (spenderCredits). */
async function spentFrom(row: ApiKey): Promise<CreditFields> {
  const spender = await spenderCredits(row.id);
  if (!spender) return row;
  const { remaining, refill_amount: refillAmount, refill_interval: refillInterval, refilled_ms: refilledMs } = spender;
  return { remaining, refillAmount, refillInterval, refilledAt: refilledMs === null ? null : new Date(refilledMs) };
}

/**
 * One of the caller's keys with its roll lineage: the key it replaced and the
 * key that replaced it. A rolled key shows the credits and refill it spends
 * from, its lineage's newest key's, not the ones it had when it was rolled.
 */
export async function getApiKey({ principal, id, now }: { principal: Principal; id: number; now: Date }): Promise<ApiKeyDetail> {
  requireScope(principal, "keys:read");
  const row = await getDb().apiKey.findFirst({ where: { id, userId: principal.user.id }, include: { replaces: true, replacedBy: true } });
  if (!row) throw noSuchKey(id);
  const credits = row.rolledAt ? await spentFrom(row) : row;
  return {
    ...toSummary(row, now),
    remaining: creditsAt(credits, now),
    refill: refillOf(credits),
    rolledAt: row.rolledAt?.toISOString() ?? null,
    replaces: link(row.replaces, now),
    replacedBy: link(row.replacedBy, now),
  };
}
