import { forgetKeyLocally, notifyKeyChanged } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type ApiKeySummary } from "@keysmith/validators";

import { findOwnedKey } from "./owned-key.ts";
import { toSummary } from "./to-summary.ts";

/**
 * Stops a key working but keeps its row (shown as revoked in the list).
 * Revoking a key already revoked keeps the earlier time; revoking a rolled key
 * still in its grace period ends the grace now.
 */
export async function revokeApiKey(userId: number, id: number, now = new Date()): Promise<ApiKeySummary> {
  const row = await findOwnedKey(userId, id);
  if (row.revokedAt && row.revokedAt.getTime() <= now.getTime()) return toSummary(row);
  const db = getDb();
  const [updated] = await db.$transaction([
    db.apiKey.update({ where: { id: row.id }, data: { revokedAt: now } }),
    notifyKeyChanged(row.keyHash),
  ]);
  forgetKeyLocally(row.keyHash);
  return toSummary(updated);
}
