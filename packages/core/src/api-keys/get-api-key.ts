import { type Principal } from "@keysmith/auth";
import { type ApiKey, getDb } from "@keysmith/db";
import { type ApiKeyDetail } from "@keysmith/validators";

import { noSuchKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

function link(row: ApiKey | null, now: Date): ApiKeyDetail["replaces"] {
  if (!row) return null;
  const { id, name, partialKey, status } = toSummary(row, now);
  return { id, name, partialKey, status };
}

/** One of the caller's keys with its roll lineage: the key it replaced and the key that replaced it. */
export async function getApiKey({ principal, id, now }: { principal: Principal; id: number; now: Date }): Promise<ApiKeyDetail> {
  requireScope(principal, "keys:read");
  const row = await getDb().apiKey.findFirst({ where: { id, userId: principal.user.id }, include: { replaces: true, replacedBy: true } });
  if (!row) throw noSuchKey(id);
  return {
    ...toSummary(row, now),
    rolledAt: row.rolledAt?.toISOString() ?? null,
    replaces: link(row.replaces, now),
    replacedBy: link(row.replacedBy, now),
  };
}
