import { getDb } from "@keysmith/db";
import { type ApiKeySummary } from "@keysmith/validators";

import { toSummary } from "./to-summary.ts";

/** The owner's keys, newest first (served by the (user_id, created_at desc, id desc) index). */
export async function listApiKeys(userId: number): Promise<ApiKeySummary[]> {
  const rows = await getDb().apiKey.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map(toSummary);
}
