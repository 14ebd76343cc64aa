"use client";

import { useEffect, useState } from "react";

import { KEY_SORTS, KEY_STATUSES, ZKeySort, ZKeyStatus } from "@keysmith/validators";

import { type SetUrlParams } from "~/app/_lib/use-url-params.ts";

import { type ListFilters, searchable } from "./_lib/list-filters.ts";
import { SORT_LABELS, STATUS_LABELS } from "./_lib/status-labels.ts";

const SEARCH_DELAY_MS = 300;

/** Search (debounced), status and sort; each change goes to the URL through `onChange`. */
export function KeyListToolbar({ filters, onChange }: {
  filters: ListFilters;
  onChange: SetUrlParams<ListFilters>;
}) {
  const [text, setText] = useState(filters.search);
  // the URL changed by itself (back, "clear filters"): show its search
  const [shownSearch, setShownSearch] = useState(filters.search);
  if (shownSearch !== filters.search) {
    setShownSearch(filters.search);
    setText(filters.search);
  }

  useEffect(() => {
    if (searchable(text) === filters.search) return;
    const timer = setTimeout(() => onChange((current) => ({ ...current, search: searchable(text) }), "replace"), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, filters.search, onChange]);

  return (
    <search className="key-toolbar">
      <div className="field">
        <label htmlFor="key-search">Search</label>
        <input
          id="key-search"
          type="search"
          value={text}
          maxLength={64}
          placeholder="Name or prefix (ak_…)"
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="key-status">Status</label>
        <select
          id="key-status"
          value={filters.status ?? ""}
          onChange={(event) => onChange((current) => ({ ...current, status: ZKeyStatus.safeParse(event.target.value).data ?? null }), "push")}
        >
          <option value="">All statuses</option>
          {KEY_STATUSES.map((status) => (
            <option key={status} value={status}>{STATUS_LABELS[status]}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="key-sort">Sort</label>
        <select id="key-sort" value={filters.sort} onChange={(event) => onChange((current) => ({ ...current, sort: ZKeySort.safeParse(event.target.value).data ?? current.sort }), "push")}>
          {KEY_SORTS.map((sort) => (
            <option key={sort} value={sort}>{SORT_LABELS[sort]}</option>
          ))}
        </select>
      </div>
    </search>
  );
}
