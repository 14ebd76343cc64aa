import { type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type ApiKeySummary } from "@keysmith/validators";

import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

/** The caller's keys revoked as leaked whose banner they have not dismissed, most recent first (the dashboard's banner). */
export async function listUnacknowledgedLeaks({ principal, now }: { principal: Principal; now: Date }): Promise<ApiKeySummary[]> {
  requireScope(principal, "keys:read");
  const rows = await getDb().apiKey.findMany({
    where: { userId: principal.user.id, leakedAt: { not: null }, leakAcknowledgedAt: null },
    orderBy: [{ leakedAt: "desc" }, { id: "desc" }],
    take: 100,
  });
  return rows.map((row) => toSummary(row, now));
}

/** Dismisses the banner for these of the caller's leaked keys; ids of other keys change nothing. Returns how many were dismissed. */
export async function acknowledgeLeaks({ principal, ids, now }: { principal: Principal; ids: readonly number[]; now: Date }): Promise<number> {
  requireScope(principal, "keys:write");
  const { count } = await getDb().apiKey.updateMany({
    where: { id: { in: [...ids] }, userId: principal.user.id, leakedAt: { not: null }, leakAcknowledgedAt: null },
    data: { leakAcknowledgedAt: now },
  });
  return count;
}
