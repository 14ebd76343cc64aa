import { type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type ApiKeySummary } from "@keysmith/validators";

import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

/** The caller's keys, newest first (served by the (user_id, created_at desc, id desc) index). */
export async function listApiKeys({ principal }: { principal: Principal }): Promise<ApiKeySummary[]> {
  requireScope(principal, "keys:read");
  const rows = await getDb().apiKey.findMany({ where: { userId: principal.user.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map(toSummary);
}
