import { type RouterOutputs } from "@keysmith/api";

import { type UsagePeriod, usageSentence } from "~/app/_lib/usage-period.ts";

type KeyUsage = RouterOutputs["apiKeys"]["usageSummary"]["keys"][number];

const WIDTH = 72;
const HEIGHT = 20;

/**
 * A key's verifications over the period as a small line (inline SVG: too
 * small to need a chart library). Its label says the total in words; the
 * line only shows when they happened. Without `usage` yet, an empty box of
 * the same size keeps the row from shifting when it arrives.
 */
export function Sparkline({ usage, period }: { usage: KeyUsage | undefined; period: UsagePeriod }) {
  if (!usage) return <span className="sparkline sparkline-pending" aria-hidden="true" />;
  const peak = Math.max(1, ...usage.points);
  const last = Math.max(1, usage.points.length - 1);
  // 1 px inside the box, so a stroke at zero or at the peak is not cut in half
  const path = usage.points
    .map((count, index) => `${index === 0 ? "M" : "L"}${((index / last) * WIDTH).toFixed(1)} ${(HEIGHT - 1 - (count / peak) * (HEIGHT - 2)).toFixed(1)}`)
    .join("");
  return (
    <svg
      className={usage.total === 0 ? "sparkline sparkline-silent" : "sparkline"}
      role="img"
      aria-label={usageSentence(usage.total, period)}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width={WIDTH}
      height={HEIGHT}
    >
      <path d={path} />
    </svg>
  );
}
