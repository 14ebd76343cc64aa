import { z } from "zod";

import { ZApiKeyId, ZVerifyCode } from "./api-keys.ts";
import { instantField } from "./instant.ts";

export const USAGE_INTERVALS = ["minute", "hour", "day"] as const;
export const ZUsageInterval = z.enum(USAGE_INTERVALS, { error: `interval must be one of ${USAGE_INTERVALS.join(", ")}.` });
export type UsageInterval = z.infer<typeof ZUsageInterval>;

/** At most this many points in one answer (a day of minutes, or 41 days of hours). */
export const MAX_USAGE_POINTS = 1_440;

const moment = (field: string) =>
  z.preprocess(
    (value) => (value === "" ? undefined : value),
    instantField(field).optional(),
  );

/**
 * GET /api-keys/{id}/usage and apiKeys.usage: `from` (inclusive, default 24
 * hours before `to`; by the minute, 1,440 minutes) to `to` (exclusive, default now), in points of one
 * `interval` (default hour). Values may arrive as query-string text.
 */
export const ZUsageQuery = z.object({
  from: moment("from").describe("Start, inclusive (rounded down to the interval); default: 24 hours before `to` (by the minute, 1,440 minutes)."),
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

/** At most this many keys' own series in one account summary (a page of the key list). */
export const MAX_USAGE_KEYS = 100;

const KEY_IDS_MESSAGE = `key_ids must be up to ${MAX_USAGE_KEYS} key ids, comma-separated.`;

/**
 * GET /usage and apiKeys.usageSummary: all the caller's keys over a period,
 * plus, for the keys named in `key_ids` (a list page's), each one's total per
 * point, for sparklines.
 */
export const ZAccountUsageQuery = ZUsageQuery.extend({
  key_ids: z.preprocess(
    (value) => (value === "" ? undefined : typeof value === "string" ? value.split(",").map((id) => (/^\d+$/.test(id.trim()) ? Number(id.trim()) : id)) : value),
    z
      .array(ZApiKeyId, { error: KEY_IDS_MESSAGE })
      .max(MAX_USAGE_KEYS, KEY_IDS_MESSAGE)
      .optional()
      .describe(`Up to ${MAX_USAGE_KEYS} of your keys' ids, comma-separated or as the parameter once per id: each gets its own total per point in \`keys\`.`),
  ),
});
export type ParsedAccountUsageQuery = z.output<typeof ZAccountUsageQuery>;

export const ZAccountUsage = ZUsageSeries.extend({
  keys: z
    .array(z.object({ id: z.number().int(), total: z.number().int(), points: z.array(z.number().int()) }))
    .describe("For each key named in key_ids that is yours: its verifications per point (every outcome), and their total."),
});
export type AccountUsage = z.infer<typeof ZAccountUsage>;
