import Link from "next/link";

import { type RouterOutputs } from "@keysmith/api";

import { StatusBadge } from "./_components/status-badge.tsx";
import { When } from "./_components/when.tsx";

export type KeySummary = RouterOutputs["apiKeys"]["list"]["items"][number];

/** One key: a table row on wide screens, a card on narrow ones (keys.css); data-label names each cell on a card. */
export function KeyRow({ apiKey, highlighted }: { apiKey: KeySummary; highlighted: boolean }) {
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
        <When iso={apiKey.lastUsedAt} show="relative" />
      </td>
      <td data-label="Expires">
        <When iso={apiKey.expiresAt} />
      </td>
    </tr>
  );
}
