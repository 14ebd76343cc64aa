import { authEnv } from "../env.ts";
import { runPeriodically } from "../periodic.ts";
import { untilNone } from "../until-none.ts";

const DAY_MS = 86_400_000;
/** Rows moved or deleted per statement, so each stays well inside the statement timeout whatever the backlog. */
const BATCH = 10_000;

// Moving is DELETE … RETURNING, so a minute row is summed into its hour by
// exactly one run however many instances run at once (a second run waits on
// the row, then finds it gone); an instance's late flush into a minute already
// moved makes a new row, which the next run moves and adds.
const MOVE_MINUTES = `
  WITH moved AS (
    DELETE FROM key_usage_minutes
     WHERE ctid = ANY (ARRAY(SELECT ctid FROM key_usage_minutes WHERE minute < $1::timestamp LIMIT ${BATCH}))
    RETURNING key_id, minute, outcome, count)
  INSERT INTO key_usage_hours (key_id, hour, outcome, count)
  SELECT key_id, date_trunc('hour', minute), outcome, sum(count) FROM moved GROUP BY 1, 2, 3
  ON CONFLICT (key_id, hour, outcome) DO UPDATE SET count = key_usage_hours.count + EXCLUDED.count`;

const DELETE_HOURS = `
  DELETE FROM key_usage_hours
   WHERE ctid = ANY (ARRAY(SELECT ctid FROM key_usage_hours WHERE hour < $1::timestamp LIMIT ${BATCH}))`;

/**
 * The usage rollup: minute counts older than KEYSMITH_USAGE_MINUTE_DAYS are
 * summed into hours, and hours older than KEYSMITH_USAGE_HOUR_DAYS deleted.
 * Minutes are moved from whole hours only (the cutoff is rounded down to the
 * hour), so an hour is never half minutes and half rolled up. Returns the
 * hour rows written or added to, and the hour rows deleted.
 */
export async function rollUpUsage(now: Date): Promise<{ hoursWritten: number; hoursDeleted: number }> {
  const minuteCutoff = now.getTime() - authEnv.usageMinuteDays() * DAY_MS;
  const hoursWritten = await untilNone(MOVE_MINUTES, [new Date(minuteCutoff - (minuteCutoff % (DAY_MS / 24))).toISOString()]);
  const hoursDeleted = await untilNone(DELETE_HOURS, [new Date(now.getTime() - authEnv.usageHourDays() * DAY_MS).toISOString()]);
  return { hoursWritten, hoursDeleted };
}

/** How often each instance runs the rollup; it is cheap when there is nothing to move. */
export const ROLLUP_EVERY_MS = 10 * 60 * 1000;

export function startUsageMaintenance(): void {
  runPeriodically("rolling up usage counts", ROLLUP_EVERY_MS, () => rollUpUsage(new Date()));
}
