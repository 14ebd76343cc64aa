"use client";

import { type UsageSeries } from "@keysmith/validators";

import { totalOf } from "../_lib/usage-chart-data.ts";
import { type UsagePeriod, usageSentence } from "../_lib/usage-period.ts";
import { PeriodPicker } from "./period-picker.tsx";
import { UsageChart } from "./usage-chart.tsx";

/**
 * A card with a usage chart and its period: loading, the error with a way
 * to try again, "No verifications in the last 24 hours", or the chart.
 * Another period shows "loading" in the chart's place rather than the last
 * period's bars, which the period's words would then misname.
 */
export function UsagePanel({ title, titleId, intro, period, onPeriodChange, usage, loading, error, onRetry }: {
  title: string;
  titleId: string;
  intro: string;
  period: UsagePeriod;
  onPeriodChange: (period: UsagePeriod) => void;
  usage: UsageSeries | undefined;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
}) {
  return (
    <section className="card usage-card" aria-labelledby={titleId}>
      <div className="usage-head">
        <div>
          <h2 id={titleId}>{title}</h2>
          <p className="muted">{intro}</p>
        </div>
        <PeriodPicker value={period} onChange={onPeriodChange} label={`${title}: period`} />
      </div>
      {loading ? (
        <p className="usage-placeholder usage-loading">Loading verifications…</p>
      ) : error !== null && !usage ? (
        <div className="usage-placeholder form-error" role="alert">
          The verifications could not be loaded: {error}{" "}
          <button type="button" className="secondary" onClick={onRetry}>Try again</button>
        </div>
      ) : !usage || totalOf(usage) === 0 ? (
        <p className="usage-placeholder">{usageSentence(0, period)}.</p>
      ) : (
        <UsageChart usage={usage} period={period} />
      )}
    </section>
  );
}
