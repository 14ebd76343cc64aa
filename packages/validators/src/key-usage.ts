import { z } from "zod";

import { ZApiKeyId, ZVerifyCode } from "./api-keys.ts";

export const USAGE_INTERVALS = ["minute", "hour", "day"] as const;
export const ZUsageInterval = z.enum(USAGE_INTERVALS, { error: `interval must be one of ${USAGE_INTERVALS.join(", ")}.` });
export type UsageInterval = z.infer<typeof ZUsageInterval>;

/** At most this many points in one answer (a day of minutes, or 41 days of hours). */
export const MAX_USAGE_POINTS = 1_440;

const moment = (field: string) =>
  z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.iso
      .datetime({ offset: true, error: `${field} must be a date and time like 2027-01-31T12:00:00Z.` })
      .transform((value) => new Date(value))
      .optional(),
  );

/**
 * GET /api-keys/{id}/usage and apiKeys.usage: `from` (inclusive, default 24
 * hours before `to`) to `to` (exclusive, default now), in points of one
 * `interval` (default hour). Values may arrive as query-string text.
 */
export const ZUsageQuery = z.object({
  from: moment("from").describe("Start, inclusive (rounded down to the interval); default: 24 hours before `to`."),
  to: moment("to").describe("End, exclusive; default: now."),
  interval: z.preprocess((value) => (value === "" ? undefined : value), ZUsageInterval.optional().describe("minute, hour (the default) or day.")),
});
export type ParsedUsageQuery = z.output<typeof ZUsageQuery>;

export const ZUsageInput = z.object({ id: ZApiKeyId }).and(ZUsageQuery);

/** Verifications by outcome; an outcome that did not happen is left out. */
export const ZUsageCounts = z.partialRecord(ZVerifyCode, z.number().int());

/** A key's verifications over time: one point per interval from `from` to `to`, empty ones included, and the totals. */
export const ZUsageSeries = z.object({
  interval: ZUsageInterval,
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  points: z.array(z.object({ at: z.iso.datetime(), counts: ZUsageCounts })),
  totals: ZUsageCounts,
});
export type UsageSeries = z.infer<typeof ZUsageSeries>;
