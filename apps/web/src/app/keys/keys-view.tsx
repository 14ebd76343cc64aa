"use client";

import { useRef, useState } from "react";

import { type RouterOutputs } from "@keysmith/api";

import { usageWindow } from "~/app/_lib/usage-period.ts";

import { NewKeyDialog } from "./_components/new-key-dialog.tsx";
import { CreateKeyDialog } from "./create-key-dialog.tsx";
import { KeyList } from "./key-list.tsx";
import { LeakBanner } from "./leak-banner.tsx";
import { UsageOverview } from "./usage-overview.tsx";

/**
 * The usage overview, the list, the create dialog, and the show-once dialog
 * between them; a closed show-once dialog highlights its key's row. The
 * overview's period is the rows' sparklines' period too.
 */
export function KeysView() {
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<RouterOutputs["apiKeys"]["create"] | null>(null);
  const [highlightId, setHighlightId] = useState<number | null>(null);
  const [usageRange, setUsageRange] = useState(() => usageWindow("24h", Date.now()));
  const opener = useRef<HTMLElement | null>(null);
  const openCreate = (event: React.MouseEvent<HTMLElement>) => {
    opener.current = event.currentTarget;
    setCreating(true);
  };

  return (
    <>
      <LeakBanner />
      <UsageOverview range={usageRange} onPeriodChange={(period) => setUsageRange(usageWindow(period, Date.now()))} />
      <section className="card key-list-card" aria-labelledby="key-list-title">
        <div className="key-list-head">
          <h2 id="key-list-title">Your keys</h2>
          <button type="button" onClick={openCreate}>Create key</button>
        </div>
        <KeyList highlightId={highlightId} usageRange={usageRange} onCreateFirst={openCreate} />
        <CreateKeyDialog open={creating} onOpenChange={setCreating} onCreated={setCreated} opener={opener} />
        {created ? (
          <NewKeyDialog
            key={created.id}
            created={created}
            onClosed={() => {
              setHighlightId(created.id);
              setCreated(null);
            }}
          />
        ) : null}
      </section>
    </>
  );
}
