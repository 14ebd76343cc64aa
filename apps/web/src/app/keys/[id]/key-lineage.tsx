import Link from "next/link";

import { type RouterOutputs } from "@keysmith/api";

import { StatusBadge } from "../_components/status-badge.tsx";

type Detail = RouterOutputs["apiKeys"]["get"];

/** The roll chain around a key: the one it replaced and the one that replaced it. */
export function KeyLineage({ apiKey }: { apiKey: Detail }) {
  if (!apiKey.replaces && !apiKey.replacedBy) return null;
  return (
    <ul className="key-lineage" aria-label="Roll lineage">
      {apiKey.replaces ? (
        <li>
          <Link href={`/keys/${apiKey.replaces.id}`}>Replaces key #{apiKey.replaces.id} ({apiKey.replaces.name})</Link>{" "}
          <code>{apiKey.replaces.partialKey}</code> <StatusBadge status={apiKey.replaces.status} />
        </li>
      ) : null}
      {apiKey.replacedBy ? (
        <li>
          <Link href={`/keys/${apiKey.replacedBy.id}`} id="replaced-by-link">Replaced by key #{apiKey.replacedBy.id} ({apiKey.replacedBy.name})</Link>{" "}
          <code>{apiKey.replacedBy.partialKey}</code> <StatusBadge status={apiKey.replacedBy.status} />
        </li>
      ) : null}
    </ul>
  );
}
