import Link from "next/link";

import { type RouterOutputs } from "@keysmith/api";

import { When } from "~/app/_components/when.tsx";
import { type UsagePeriod } from "~/app/_lib/usage-period.ts";

import { StatusBadge } from "./_components/status-badge.tsx";
import { creditsBadge } from "./_lib/credits.ts";
import { leakFinder } from "./_lib/leak-words.ts";
import { Sparkline } from "./sparkline.tsx";

export type KeySummary = RouterOutputs["apiKeys"]["list"]["items"][number];

/**
 * One key: a table row on wide screens, a card on narrow ones (keys.css); data-label names each cell on a card.
 * Its use over the period (`usage`, once loaded) is a sparkline beside the last use; its credits left, if it has any limit, a badge beside its status.
 */
export function KeyRow({ apiKey, highlighted, usage, usagePeriod }: {
  apiKey: KeySummary;
  highlighted: boolean;
  usage: RouterOutputs["apiKeys"]["usageSummary"]["keys"][number] | undefined;
  usagePeriod: UsagePeriod;
}) {
  const credits = creditsBadge(apiKey.remaining);
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
        <span className="key-standing">
          <StatusBadge status={apiKey.status} />
          {apiKey.leak ? <>{" "}<span className="key-leaked" title={leakFinder(apiKey.leak)}>Leaked</span></> : null}
          {credits ? <>{" "}<span className={apiKey.remaining === 0 ? "key-credits key-credits-out" : "key-credits"}>{credits}</span></> : null}
        </span>
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
