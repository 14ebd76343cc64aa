import { type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type AccountUsage, type ParsedAccountUsageQuery, type ParsedUsageQuery, type UsageSeries } from "@keysmith/validators";

import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";
import { periodOf, readUsage, toSeries } from "./usage-series.ts";

/**
 * One of the caller's keys' verifications over time, by outcome, from the
 * counts instances flush (usage.ts in @keysmith/auth): so the latest few
 * seconds may not be in yet. Every interval of the period is a point, empty
 * ones included, so a chart needs no gaps filled. Times are UTC.
 */
export async function apiKeyUsage({ principal, id, query, now }: { principal: Principal; id: number; query: ParsedUsageQuery; now: Date }): Promise<UsageSeries> {
  requireScope(principal, "keys:read");
  const key = await findOwnedKey({ principal, id });
  const period = periodOf(query, now);
  return toSeries(await readUsage({ ownerId: principal.user.id, keyId: key.id, ...period }), period);
}

/**
 * All the caller's keys' verifications over time, by outcome, as apiKeyUsage
 * answers for one key; and for each key named in `key_ids` (ids that are not
 * the caller's are left out), its own total per point.
 */
export async function accountUsage({ principal, query, now }: { principal: Principal; query: ParsedAccountUsageQuery; now: Date }): Promise<AccountUsage> {
  requireScope(principal, "keys:read");
  const period = periodOf(query, now);
  const rows = await readUsage({ ownerId: principal.user.id, ...period });
  const series = toSeries(rows, period);
  const wanted = new Set(query.key_ids ?? []);
  const index = new Map(series.points.map((point, position) => [Date.parse(point.at), position]));
  const perKey = new Map<number, number[]>();
  for (const row of rows) {
    if (!wanted.has(row.key_id)) continue;
    const position = index.get(row.at_ms);
    if (position === undefined) continue;
    let points = perKey.get(row.key_id);
    if (!points) perKey.set(row.key_id, (points = new Array<number>(series.points.length).fill(0)));
    points[position] = (points[position] ?? 0) + row.count;
  }
  // a named key of the caller's with no verifications gets zeros, so a sparkline can say "none"
  const owned = await ownedIds(principal.user.id, [...wanted].filter((id) => !perKey.has(id)));
  for (const id of owned) perKey.set(id, new Array<number>(series.points.length).fill(0));
  const keys = [...wanted].flatMap((id) => {
    const points = perKey.get(id);
    return points ? [{ id, total: points.reduce((sum, count) => sum + count, 0), points }] : [];
  });
  return { ...series, keys };
}

async function ownedIds(ownerId: number, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await getDb().apiKey.findMany({ where: { userId: ownerId, id: { in: ids } }, select: { id: true } });
  return rows.map((row) => row.id);
}
