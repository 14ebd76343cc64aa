"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState } from "react";

import { When } from "~/app/_components/when.tsx";
import { useTRPC } from "~/trpc/react.tsx";

import { CopyButton } from "../_components/copy-button.tsx";
import { LeakWhere } from "../_components/leak-where.tsx";
import { StatusBadge } from "../_components/status-badge.tsx";
import { creditsSummary } from "../_lib/credits.ts";
import { EditKeyForm } from "./edit-key-form.tsx";
import { KeyActions } from "./key-actions.tsx";
import { KeyLineage } from "./key-lineage.tsx";
import { KeyRecentEvents } from "./key-recent-events.tsx";
import { KeyUsage } from "./key-usage.tsx";

/** One key: what it is, its lineage, its use and recent events, the edit form and the actions. The server prefetched it and its events. */
export function KeyDetails({ id }: { id: number }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.apiKeys.get.queryOptions({ id }));
  // a new form after each save, so its fields start from what was saved
  const [saves, setSaves] = useState(0);
  // "Changes saved." speaks for the last submit only
  const [savedShown, setSavedShown] = useState(false);
  const saved = useRef<HTMLParagraphElement>(null);

  if (query.isPending) return <p>Loading the key…</p>;
  if (query.isError) {
    return (
      <p className="form-error" role="alert">
        This key could not be loaded: {query.error.message} <Link href="/keys">Back to your keys</Link>
      </p>
    );
  }
  const key = query.data;
  return (
    <div className="key-page">
      <p className="crumbs">
        <Link href="/keys">← All keys</Link>
      </p>
      <div className="key-title">
        <h1 tabIndex={-1} id="key-title">{key.name}</h1>
        <StatusBadge status={key.status} />
        {key.leak ? <span className="key-leaked">Leaked</span> : null}
      </div>
      {key.leak ? (
        <p className="leak-notice" data-testid="leak-notice">
          <strong>Revoked because it leaked:</strong> <LeakWhere leak={key.leak} />, <When iso={key.leak.at} show="both" />.
        </p>
      ) : null}

      <section className="card" aria-labelledby="key-details-title">
        <h2 id="key-details-title">Details</h2>
        <dl className="key-facts">
          <div>
            <dt>Key id</dt>
            <dd>
              <code>{key.id}</code> <CopyButton value={String(key.id)} label="Copy id" copiedLabel="Id copied" />
            </dd>
          </div>
          <div>
            <dt>Prefix</dt>
            <dd><code>{key.partialKey}</code></dd>
          </div>
          {key.foreign ? (
            <div>
              <dt>Use</dt>
              <dd data-testid="key-foreign">Verify only: imported in another format (or rolled from such a key), it is checked through the verify route and never signs in to Keysmith&apos;s own API.</dd>
            </div>
          ) : null}
          <div>
            <dt>Description</dt>
            <dd className="key-description-full">{key.description ?? "None"}</dd>
          </div>
          <div>
            <dt>Scopes</dt>
            <dd className="scope-codes">{key.scopes.map((scope) => <code key={scope}>{scope}</code>)}</dd>
          </div>
          <div>
            <dt>Rate limit</dt>
            <dd>{key.rateLimitPerMinute ? `${key.rateLimitPerMinute.toLocaleString("en")} per minute` : "No limit"}</dd>
          </div>
          <div>
            <dt>Credits</dt>
            <dd>{creditsSummary(key.remaining, key.refill)}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd><When iso={key.createdAt} show="both" /></dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd><When iso={key.expiresAt} show="both" fallback="Never" /></dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd><When iso={key.lastUsedAt} show="relative" fallback="Never" /></dd>
          </div>
          {key.revokedAt ? (
            <div>
              <dt>{key.status === "rolling" ? "Stops working" : "Revoked"}</dt>
              <dd><When iso={key.revokedAt} show="both" /></dd>
            </div>
          ) : null}
        </dl>
        <KeyLineage apiKey={key} />
      </section>

      <KeyUsage id={key.id} />
      <KeyRecentEvents id={key.id} keyVersion={query.dataUpdatedAt} />

      <section className="card" aria-labelledby="key-edit-title">
        <h2 id="key-edit-title">Edit</h2>
        {savedShown ? (
          <p className="saved" role="status" tabIndex={-1} ref={saved}>
            Changes saved.
          </p>
        ) : null}
        <EditKeyForm
          key={saves}
          apiKey={key}
          onSubmitStart={() => setSavedShown(false)}
          onSaved={() => {
            setSaves((count) => count + 1);
            setSavedShown(true);
            // the submit button went with the old form: continue from the confirmation
            setTimeout(() => saved.current?.focus(), 0);
          }}
        />
      </section>

      <section className="card" aria-labelledby="key-actions-title">
        <h2 id="key-actions-title" tabIndex={-1}>Actions</h2>
        <KeyActions apiKey={key} />
      </section>
    </div>
  );
}
