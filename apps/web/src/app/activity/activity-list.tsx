"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useCallback, useRef } from "react";

import { AUDIT_EVENTS, ZAuditEventName } from "@keysmith/validators";

import { AuditTable } from "~/app/_components/audit-table.tsx";
import { ListFoot } from "~/app/_components/list-foot.tsx";
import { EVENT_LABELS } from "~/app/_lib/audit-labels.ts";
import { useUrlParams } from "~/app/_lib/use-url-params.ts";
import { useTRPC } from "~/trpc/react.tsx";

import { type ActivityFilters, activityFiltersFromParams, activityFiltersToSearch, NO_FILTERS } from "./_lib/activity-filters.ts";
import { activityOptions } from "./_lib/activity-options.ts";

/**
 * The audit log, 25 events at a time, as the URL's filters say: one kind of
 * event, one key's events, or both. The server render prefetches the same
 * query, so the first page is in the HTML.
 */
export function ActivityList() {
  const trpc = useTRPC();
  const [filters, setFilters] = useUrlParams(activityFiltersFromParams, activityFiltersToSearch);
  const log = useInfiniteQuery({ ...activityOptions(trpc, filters), placeholderData: keepPreviousData });
  const events = log.data?.pages.flatMap((page) => page.items) ?? [];
  const list = useRef<HTMLDivElement>(null);
  const focusEvent = useCallback((index: number) => list.current?.querySelectorAll<HTMLElement>("tbody tr")[index]?.focus(), []);

  const filtered = filters.event !== null || filters.keyId !== null;
  const keyName = events.find((event) => event.key_id === filters.keyId)?.key_name;

  return (
    <div className="card activity-card">
      <search className="activity-toolbar">
        <div className="field">
          <label htmlFor="activity-event">Event</label>
          <select
            id="activity-event"
            value={filters.event ?? ""}
            onChange={(event) => setFilters((current) => ({ ...current, event: ZAuditEventName.safeParse(event.target.value).data ?? null }), "push")}
          >
            <option value="">All events</option>
            {AUDIT_EVENTS.map((name) => (
              <option key={name} value={name}>{EVENT_LABELS[name]}</option>
            ))}
          </select>
        </div>
        {filters.keyId !== null ? (
          <p className="activity-key-filter">
            Only key #{filters.keyId}
            {keyName ? ` (“${keyName}”)` : ""}.{" "}
            <button type="button" className="secondary" onClick={() => setFilters((current) => ({ ...current, keyId: null }), "push")}>
              Show every key
            </button>
          </p>
        ) : null}
      </search>
      {log.isPending ? (
        <p>Loading the activity…</p>
      ) : log.isError && events.length === 0 ? (
        <div className="form-error" role="alert">
          The activity could not be loaded: {log.error.message}{" "}
          <button type="button" className="secondary" onClick={() => void log.refetch()}>Try again</button>
        </div>
      ) : events.length === 0 ? (
        <div className="empty-state">
          <p>{emptyText(filters)}</p>
          {filtered ? (
            <button type="button" className="secondary" onClick={() => setFilters(() => NO_FILTERS, "push")}>Show all events</button>
          ) : null}
        </div>
      ) : (
        <>
          <div ref={list}>
            <AuditTable events={events} caption="Events, newest first" busy={log.isPlaceholderData} />
          </div>
          <ListFoot
            className="activity-foot"
            query={log}
            shown={events.length}
            noun={{ one: "event", many: "events" }}
            partial="latest"
            filtered={filtered}
            focusItem={focusEvent}
          />
        </>
      )}
    </div>
  );
}

function emptyText(filters: ActivityFilters): string {
  const kind = filters.event ? `“${EVENT_LABELS[filters.event]}” events` : "events";
  if (filters.keyId !== null) return `No ${kind} for key #${filters.keyId}.`;
  return filters.event ? `No ${kind} yet.` : "Nothing has happened yet.";
}
