"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { UsagePanel } from "~/app/_components/usage-panel.tsx";
import { usageInput, usageWindow } from "~/app/_lib/usage-period.ts";
import { useTRPC } from "~/trpc/react.tsx";

/** One key's verifications by outcome, over the last 24 hours, 7 days or 30 days. */
export function KeyUsage({ id }: { id: number }) {
  const trpc = useTRPC();
  const [range, setRange] = useState(() => usageWindow("24h", Date.now()));
  const usage = useQuery(trpc.apiKeys.usage.queryOptions({ id, ...usageInput(range) }));
  return (
    <UsagePanel
      title="Verifications"
      titleId="key-usage-title"
      intro="This key's verifications, by outcome."
      period={range.period}
      onPeriodChange={(period) => setRange(usageWindow(period, Date.now()))}
      usage={usage.data}
      loading={usage.isPending}
      error={usage.isError ? usage.error.message : null}
      onRetry={() => void usage.refetch()}
    />
  );
}
