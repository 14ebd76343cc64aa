"use client";

import { USAGE_PERIODS, type UsagePeriod, periodLabel } from "../_lib/usage-period.ts";

/** 24 hours, 7 days or 30 days: a row of toggle buttons, the chosen one pressed. */
export function PeriodPicker({ value, onChange, label }: { value: UsagePeriod; onChange: (period: UsagePeriod) => void; label: string }) {
  return (
    <div className="period-picker" role="group" aria-label={label}>
      {USAGE_PERIODS.map((period) => (
        <button key={period} type="button" aria-pressed={period === value} onClick={() => onChange(period)}>
          {periodLabel(period)}
        </button>
      ))}
    </div>
  );
}
