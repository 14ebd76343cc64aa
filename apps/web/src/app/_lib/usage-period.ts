import { type UsageInterval } from "@keysmith/validators";

export const USAGE_PERIODS = ["24h", "7d", "30d"] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const STEP_MS: Record<UsageInterval, number> = { minute: 60_000, hour: HOUR_MS, day: DAY_MS };

// 7 days stay hourly (169 points), so a daily rhythm shows; 30 days of hours would be 720 bars on a phone
const PERIODS: Record<UsagePeriod, { label: string; phrase: string; interval: UsageInterval; spanMs: number }> = {
  "24h": { label: "24 hours", phrase: "in the last 24 hours", interval: "hour", spanMs: DAY_MS },
  "7d": { label: "7 days", phrase: "in the last 7 days", interval: "hour", spanMs: 7 * DAY_MS },
  "30d": { label: "30 days", phrase: "in the last 30 days", interval: "day", spanMs: 30 * DAY_MS },
};

/** "24 hours": the period's button. */
export function periodLabel(period: UsagePeriod): string {
  return PERIODS[period].label;
}

/** "in the last 24 hours": how a sentence about the period ends. */
export function periodPhrase(period: UsagePeriod): string {
  return PERIODS[period].phrase;
}

/**
 * The period the usage queries ask for. `from` is fixed when the period is
 * chosen (rounded down to the interval, as the server would), not at each
 * render, so the query's key stays the same while the page is open; `to`
 * is left to the server (now).
 */
export interface UsageWindow {
  period: UsagePeriod;
  interval: UsageInterval;
  from: string;
}

export function usageWindow(period: UsagePeriod, now: number): UsageWindow {
  const { interval, spanMs } = PERIODS[period];
  const start = now - spanMs;
  return { period, interval, from: new Date(start - (start % STEP_MS[interval])).toISOString() };
}

/** The part of a usage query's input the window decides. */
export function usageInput(range: UsageWindow): { interval: UsageInterval; from: string } {
  return { interval: range.interval, from: range.from };
}

/** "1 verification", "1,204 verifications". */
export function verificationCount(count: number): string {
  return `${count.toLocaleString("en")} ${count === 1 ? "verification" : "verifications"}`;
}

/** "24 verifications in the last 24 hours", "No verifications in the last 7 days". */
export function usageSentence(total: number, period: UsagePeriod): string {
  return `${total === 0 ? "No verifications" : verificationCount(total)} ${periodPhrase(period)}`;
}
