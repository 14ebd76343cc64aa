"use client";

import { useQuery } from "@tanstack/react-query";

import { UsagePanel } from "~/app/_components/usage-panel.tsx";
import { type UsagePeriod, type UsageWindow, usageInput } from "~/app/_lib/usage-period.ts";
import { useTRPC } from "~/trpc/react.tsx";

/** Every key's verifications together, by outcome, over the period the rows' sparklines show too. */
export function UsageOverview({ range, onPeriodChange }: { range: UsageWindow; onPeriodChange: (period: UsagePeriod) => void }) {
  const trpc = useTRPC();
  const summary = useQuery(trpc.apiKeys.usageSummary.queryOptions(usageInput(range)));
  return (
    <UsagePanel
      title="Verifications"
      titleId="usage-overview-title"
      intro="Every key's verifications, by outcome."
      period={range.period}
      onPeriodChange={onPeriodChange}
      usage={summary.data}
      loading={summary.isPending}
      error={summary.isError ? summary.error.message : null}
      onRetry={() => void summary.refetch()}
    />
  );
}
