import { forgetKeyLocally, type Principal, recordAudit } from "@keysmith/auth";
import { getDb, transactionTimeouts } from "@keysmith/db";
import { type ApiKeySummary } from "@keysmith/validators";

import { keyEvent } from "./key-event.ts";
import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

/**
 * Stops a key working but keeps its row (shown as revoked in the list).
 * Revoking a key already revoked keeps the earlier time; revoking a rolled key
 * still in its grace period ends the grace now.
 */
export async function revokeApiKey({ principal, id, now }: { principal: Principal; id: number; now: Date }): Promise<ApiKeySummary> {
  requireScope(principal, "keys:write");
  const row = await findOwnedKey({ principal, id });
  if (row.revokedAt && row.revokedAt.getTime() <= now.getTime()) return toSummary(row, now);
  // the update NOTIFYs every instance at commit (a database trigger); this one forgets it now
  const updated = await getDb().$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id: row.id }, data: { revokedAt: now } });
    await recordAudit(keyEvent(principal, "key.revoked", revoked, now, row.rolledAt ? { ended_grace: true } : {}), tx);
    return revoked;
  }, transactionTimeouts());
  forgetKeyLocally(row.keyHash);
  return toSummary(updated, now);
}
