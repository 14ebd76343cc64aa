import { type UsageSeries, type VerifyCode } from "@keysmith/validators";

import { OUTCOME_LABELS, OUTCOME_ORDER } from "./outcomes.ts";
import { type UsagePeriod, verificationCount, periodPhrase } from "./usage-period.ts";

/** A usage series as a stacked chart draws it. */
export interface StackedUsage {
  /** Each point's start, in seconds (uPlot's unit of time). */
  x: number[];
  /** The outcomes that happened in the period, bottom of the stack first. */
  outcomes: VerifyCode[];
  /** Per outcome, its count at each point. */
  counts: number[][];
  /** Per outcome, the sum of it and every outcome below it at each point: where its bar ends. */
  tops: number[][];
  total: number;
}

/** Only outcomes that happened get a series, so the legend lists nothing that is always zero. */
export function stackUsage(usage: UsageSeries): StackedUsage {
  const outcomes = OUTCOME_ORDER.filter((outcome) => (usage.totals[outcome] ?? 0) > 0);
  const counts = outcomes.map((outcome) => usage.points.map((point) => point.counts[outcome] ?? 0));
  const below = usage.points.map(() => 0);
  const tops = counts.map((series) => series.map((count, index) => (below[index] = (below[index] ?? 0) + count)));
  return { x: usage.points.map((point) => Date.parse(point.at) / 1000), outcomes, counts, tops, total: totalOf(usage) };
}

export function totalOf(usage: Pick<UsageSeries, "totals">): number {
  return Object.values(usage.totals).reduce((sum, count) => sum + count, 0);
}

/** "45 verifications in the last 24 hours. Valid: 40; Rate limited: 5.": the chart's words for those who cannot see it. */
export function usageSummary(usage: UsageSeries, period: UsagePeriod): string {
  const parts = OUTCOME_ORDER.filter((outcome) => (usage.totals[outcome] ?? 0) > 0).map(
    (outcome) => `${OUTCOME_LABELS[outcome]}: ${(usage.totals[outcome] ?? 0).toLocaleString("en")}`,
  );
  return `${verificationCount(totalOf(usage))} ${periodPhrase(period)}.${parts.length ? ` ${parts.join("; ")}.` : ""}`;
}
