"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";

import { AuditTable } from "~/app/_components/audit-table.tsx";
import { useTRPC } from "~/trpc/react.tsx";

import { recentEventsInput } from "./recent-events.ts";

/**
 * The key's 10 newest events (the server prefetched them), and a link to
 * all of them on the Activity page. `keyVersion` is when the key's own data
 * last arrived: an edit, roll or revoke on this page refetches the key, and
 * so these events, which then include it.
 */
export function KeyRecentEvents({ id, keyVersion }: { id: number; keyVersion: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const events = useQuery(trpc.auditLog.list.queryOptions(recentEventsInput(id)));
  const seenVersion = useRef(keyVersion);

  useEffect(() => {
    if (seenVersion.current === keyVersion) return;
    seenVersion.current = keyVersion;
    void queryClient.invalidateQueries({ queryKey: trpc.auditLog.list.queryKey(recentEventsInput(id)) });
  }, [keyVersion, id, queryClient, trpc]);

  return (
    <section className="card" aria-labelledby="key-events-title">
      <div className="key-events-head">
        <h2 id="key-events-title">Recent events</h2>
        <Link href={`/activity?key_id=${id}`}>All of this key’s activity</Link>
      </div>
      {events.isPending ? (
        <p>Loading the key’s events…</p>
      ) : events.isError ? (
        <div className="form-error" role="alert">
          The key’s events could not be loaded: {events.error.message}{" "}
          <button type="button" className="secondary" onClick={() => void events.refetch()}>Try again</button>
        </div>
      ) : events.data.items.length === 0 ? (
        <p className="muted">Nothing has happened to this key yet.</p>
      ) : (
        <AuditTable events={events.data.items} caption="This key’s latest events, newest first" />
      )}
    </section>
  );
}
