import { getPool } from "@keysmith/db";
import { KeysmithError, MAX_USAGE_POINTS, type ParsedUsageQuery, type UsageInterval, type UsageSeries, type VerifyCode } from "@keysmith/validators";

const STEP_MS: Record<UsageInterval, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function badPeriod(message: string): KeysmithError {
  return new KeysmithError("BAD_REQUEST", message, { fields: { from: [message] } });
}

/**
 * The period a query asks for: `from` rounded down to the interval (UTC), to
 * `to`; refused when empty or too many points. Without `from`, 24 hours
 * before `to`, rounded down the same way; but where that makes one point too
 * many (a day of minutes is 1,441 of them), from the next interval, so the
 * default itself is never refused.
 */
export function periodOf(query: ParsedUsageQuery, now: Date): { interval: UsageInterval; step: number; from: Date; to: Date } {
  const interval = query.interval ?? "hour";
  const step = STEP_MS[interval];
  const to = query.to ?? now;
  const requestedFrom = query.from ?? defaultFrom(to, step);
  if (requestedFrom.getTime() >= to.getTime()) throw badPeriod("from must be before to.");
  const from = new Date(requestedFrom.getTime() - (requestedFrom.getTime() % step));
  if (Math.ceil((to.getTime() - from.getTime()) / step) > MAX_USAGE_POINTS) {
    throw badPeriod(`That period holds more than ${MAX_USAGE_POINTS} ${interval}s: shorten it, or use a longer interval.`);
  }
  return { interval, step, from, to };
}

function defaultFrom(to: Date, step: number): Date {
  const dayBefore = to.getTime() - STEP_MS.day;
  const from = dayBefore - (dayBefore % step);
  return new Date(Math.ceil((to.getTime() - from) / step) > MAX_USAGE_POINTS ? from + step : from);
}

export interface UsageRow {
  key_id: number;
  at_ms: number;
  outcome: VerifyCode;
  count: number;
}

/**
 * The counts of one owner's keys (or one of them) in a period, per key,
 * interval and outcome, from both the minute counts and, for hours and days,
 * the hours the rollup made of older minutes (usage-rollup.ts in
 * @keysmith/auth): a minute is in one table or the other, never both.
 */
export async function readUsage(options: { ownerId: number; keyId?: number; interval: UsageInterval; from: Date; to: Date }): Promise<UsageRow[]> {
  const { ownerId, keyId, interval, from, to } = options;
  const hours = interval === "minute" ? "" : `UNION ALL SELECT key_id, hour, outcome, count FROM key_usage_hours WHERE hour >= $3::timestamp AND hour < $4::timestamp`;
  const { rows } = await getPool().query<{ key_id: number; at_ms: number; outcome: VerifyCode; count: string }>(
    `SELECT u.key_id, (extract(epoch FROM date_trunc($1, u.at)) * 1000)::float8 AS at_ms, u.outcome, sum(u.count)::text AS count
       FROM (SELECT key_id, minute AS at, outcome, count FROM key_usage_minutes WHERE minute >= $3::timestamp AND minute < $4::timestamp
             ${hours}) u
       JOIN api_keys k ON k.id = u.key_id AND k.user_id = $2 AND ($5::int IS NULL OR k.id = $5)
      GROUP BY 1, 2, 3`,
    [interval, ownerId, from.toISOString(), to.toISOString(), keyId ?? null],
  );
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}

/** Rows as a series: one point per interval from `from` to `to`, empty ones included, and totals by outcome. */
export function toSeries(rows: readonly UsageRow[], period: ReturnType<typeof periodOf>): UsageSeries {
  const { interval, step, from, to } = period;
  const points = new Map<number, UsageSeries["points"][number]>();
  for (let at = from.getTime(); at < to.getTime(); at += step) points.set(at, { at: new Date(at).toISOString(), counts: {} });
  const totals: UsageSeries["totals"] = {};
  for (const row of rows) {
    const point = points.get(row.at_ms);
    if (point) point.counts[row.outcome] = (point.counts[row.outcome] ?? 0) + row.count;
    totals[row.outcome] = (totals[row.outcome] ?? 0) + row.count;
  }
  return { interval, from: from.toISOString(), to: to.toISOString(), points: [...points.values()], totals };
}
