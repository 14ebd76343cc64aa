import { type Principal } from "@keysmith/auth";
import { getPool } from "@keysmith/db";
import { KeysmithError, MAX_USAGE_POINTS, type ParsedUsageQuery, type UsageInterval, type UsageSeries, type VerifyCode } from "@keysmith/validators";

import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";

const STEP_MS: Record<UsageInterval, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const DAY_MS = STEP_MS.day;

function tooMany(interval: UsageInterval): KeysmithError {
  const message = `That period holds more than ${MAX_USAGE_POINTS} ${interval}s: shorten it, or use a longer interval.`;
  return new KeysmithError("BAD_REQUEST", message, { fields: { from: [message] } });
}

/**
 * One of the caller's keys' verifications over time, by outcome, from the
 * counts instances flush (usage.ts in @keysmith/auth): so the latest few
 * seconds may not be in yet. Every interval of the period is a point, empty
 * ones included, so a chart needs no gaps filled. Times are UTC.
 */
export async function apiKeyUsage({ principal, id, query, now }: { principal: Principal; id: number; query: ParsedUsageQuery; now: Date }): Promise<UsageSeries> {
  requireScope(principal, "keys:read");
  const key = await findOwnedKey({ principal, id });
  const interval = query.interval ?? "hour";
  const step = STEP_MS[interval];
  const to = query.to ?? now;
  const requestedFrom = query.from ?? new Date(to.getTime() - DAY_MS);
  if (requestedFrom.getTime() >= to.getTime()) {
    throw new KeysmithError("BAD_REQUEST", "from must be before to.", { fields: { from: ["from must be before to."] } });
  }
  // points start on the interval's boundaries (UTC)
  const from = new Date(requestedFrom.getTime() - (requestedFrom.getTime() % step));
  if (Math.ceil((to.getTime() - from.getTime()) / step) > MAX_USAGE_POINTS) throw tooMany(interval);

  const { rows } = await getPool().query<{ at_ms: number; outcome: VerifyCode; count: string }>(
    `SELECT (extract(epoch FROM date_trunc($2, minute)) * 1000)::float8 AS at_ms, outcome, sum(count)::text AS count
       FROM key_usage_minutes
      WHERE key_id = $1 AND minute >= $3::timestamp AND minute < $4::timestamp
      GROUP BY 1, 2`,
    [key.id, interval, from.toISOString(), to.toISOString()],
  );
  const points = new Map<number, UsageSeries["points"][number]>();
  for (let at = from.getTime(); at < to.getTime(); at += step) points.set(at, { at: new Date(at).toISOString(), counts: {} });
  const totals: UsageSeries["totals"] = {};
  for (const row of rows) {
    const count = Number(row.count);
    const point = points.get(row.at_ms);
    if (point) point.counts[row.outcome] = (point.counts[row.outcome] ?? 0) + count;
    totals[row.outcome] = (totals[row.outcome] ?? 0) + count;
  }
  return { interval, from: from.toISOString(), to: to.toISOString(), points: [...points.values()], totals };
}
