"use client";

import { keepPreviousData, useInfiniteQuery, useQueries } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";

import { ListFoot } from "~/app/_components/list-foot.tsx";
import { type UsageWindow, usageInput } from "~/app/_lib/usage-period.ts";
import { useUrlParams } from "~/app/_lib/use-url-params.ts";
import { useTRPC } from "~/trpc/react.tsx";

import { DEFAULT_FILTERS, filtersFromParams, filtersToSearch, isFiltered, type ListFilters } from "./_lib/list-filters.ts";
import { keyListOptions } from "./_lib/list-options.ts";
import { STATUS_PHRASES } from "./_lib/status-labels.ts";
import { KeyListToolbar } from "./key-list-toolbar.tsx";
import { KeyRow } from "./key-row.tsx";

/**
 * The caller's keys, 25 at a time, as the URL's filters say. The server
 * render prefetches the same query, so the first page is in the HTML.
 * `highlightId`: a key just created, marked and scrolled to once it shows.
 * Each row's sparkline covers `usageRange`.
 */
export function KeyList({ highlightId, usageRange, onCreateFirst }: { highlightId: number | null; usageRange: UsageWindow; onCreateFirst: (event: React.MouseEvent<HTMLElement>) => void }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useUrlParams(filtersFromParams, filtersToSearch);
  const list = useInfiniteQuery({ ...keyListOptions(trpc, filters), placeholderData: keepPreviousData });
  const table = useRef<HTMLTableSectionElement>(null);
  const focusKey = useCallback((index: number) => table.current?.querySelectorAll<HTMLElement>("td.key-name a")[index]?.focus(), []);
  const keys = list.data?.pages.flatMap((page) => page.items) ?? [];
  // one summary per page of keys (25 ids, within the summary's 100), so "Load more" asks only about the keys it brought
  const usageByKey = useQueries({
    queries: (list.data?.pages ?? [])
      .map((page) => page.items.map((key) => key.id))
      .filter((ids) => ids.length > 0)
      .map((ids) => trpc.apiKeys.usageSummary.queryOptions({ ...usageInput(usageRange), key_ids: ids })),
    combine: (results) => new Map(results.flatMap((result) => result.data?.keys ?? []).map((usage) => [usage.id, usage])),
  });
  const found = highlightId !== null && keys.some((key) => key.id === highlightId);
  const highlightHandled = useRef<number | null>(null);

  useEffect(() => {
    if (highlightId === null || highlightHandled.current === highlightId || list.isFetching) return;
    highlightHandled.current = highlightId;
    if (!found) {
      // the filters hide it: the unfiltered list, newest first, shows it at the top
      highlightHandled.current = null;
      setFilters(() => DEFAULT_FILTERS, "push");
      return;
    }
    const link = document.querySelector<HTMLElement>(`#key-${highlightId} a`);
    link?.scrollIntoView({ block: "center" });
    link?.focus({ preventScroll: true });
  }, [highlightId, found, list.isFetching, setFilters]);


  return (
    <>
      <KeyListToolbar filters={filters} onChange={setFilters} />
      {list.isPending ? (
        <p>Loading your keys…</p>
      ) : list.isError && keys.length === 0 ? (
        <div className="form-error" role="alert">
          Your keys could not be loaded: {list.error.message}{" "}
          <button type="button" className="secondary" onClick={() => void list.refetch()}>Try again</button>
        </div>
      ) : keys.length === 0 ? (
        <EmptyList filters={filters} onClear={() => setFilters(() => DEFAULT_FILTERS, "push")} onCreateFirst={onCreateFirst} />
      ) : (
        <>
          <div className="key-table-wrap">
            <table className="key-table" aria-busy={list.isPlaceholderData || undefined}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody ref={table}>
                {keys.map((key) => (
                  <KeyRow key={key.id} apiKey={key} highlighted={key.id === highlightId} usage={usageByKey.get(key.id)} usagePeriod={usageRange.period} />
                ))}
              </tbody>
            </table>
          </div>
          <ListFoot
            className="key-list-foot"
            query={list}
            shown={keys.length}
            noun={{ one: "key", many: "keys" }}
            partial="first"
            filtered={isFiltered(filters)}
            focusItem={focusKey}
          />
        </>
      )}
    </>
  );
}

function EmptyList({ filters, onClear, onCreateFirst }: { filters: ListFilters; onClear: () => void; onCreateFirst: (event: React.MouseEvent<HTMLElement>) => void }) {
  if (!isFiltered(filters)) {
    return (
      <div className="empty-state">
        <p>You have no API keys yet.</p>
        <button type="button" onClick={onCreateFirst}>Create your first key</button>
      </div>
    );
  }
  const what = filters.status ? STATUS_PHRASES[filters.status] : "keys";
  return (
    <div className="empty-state">
      <p>{filters.search ? `No ${what} match “${filters.search}”.` : `You have no ${what}.`}</p>
      <button type="button" className="secondary" onClick={onClear}>Clear filters</button>
    </div>
  );
}
