import Link from "next/link";

import { type RouterOutputs } from "@keysmith/api";

import { When } from "~/app/_components/when.tsx";
import { type UsagePeriod } from "~/app/_lib/usage-period.ts";

import { StatusBadge } from "./_components/status-badge.tsx";
import { Sparkline } from "./sparkline.tsx";

export type KeySummary = RouterOutputs["apiKeys"]["list"]["items"][number];

/**
 * One key: a table row on wide screens, a card on narrow ones (keys.css); data-label names each cell on a card.
 * Its use over the period (`usage`, once loaded) is a sparkline beside the last use.
 */
export function KeyRow({ apiKey, highlighted, usage, usagePeriod }: {
  apiKey: KeySummary;
  highlighted: boolean;
  usage: RouterOutputs["apiKeys"]["usageSummary"]["keys"][number] | undefined;
  usagePeriod: UsagePeriod;
}) {
  return (
    <tr id={`key-${apiKey.id}`} className={highlighted ? "key-row key-row-new" : "key-row"} data-testid={`key-row-${apiKey.id}`}>
      <td className="key-name">
        <Link href={`/keys/${apiKey.id}`} prefetch={false}>{apiKey.name}</Link>
        {highlighted ? <span className="new-mark">New</span> : null}
        {apiKey.description ? <span className="key-description">{apiKey.description}</span> : null}
      </td>
      <td data-label="Key">
        <code>{apiKey.partialKey}</code>
      </td>
      <td data-label="Status">
        <StatusBadge status={apiKey.status} />
      </td>
      <td data-label="Created">
        <When iso={apiKey.createdAt} />
      </td>
      <td data-label="Last used">
        <span className="last-used">
          <When iso={apiKey.lastUsedAt} show="relative" />
          <Sparkline usage={usage} period={usagePeriod} />
        </span>
      </td>
      <td data-label="Expires">
        <When iso={apiKey.expiresAt} />
      </td>
    </tr>
  );
}
