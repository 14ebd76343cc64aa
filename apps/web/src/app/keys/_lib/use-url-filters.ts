"use client";

import { useSearchParams } from "next/navigation";
import { useMemo } from "react";

import { type ListFilters, filtersFromParams, filtersToSearch } from "./list-filters.ts";

/**
 * The list's filters, kept in the URL. They change it through the History
 * API, which Next.js follows (useSearchParams updates) without a server
 * round trip; a reload or a shared link renders the same list on the server.
 */
export function useUrlFilters(): [ListFilters, (change: (current: ListFilters) => ListFilters, history: "push" | "replace") => void] {
  const params = useSearchParams();
  const filters = useMemo(() => filtersFromParams((name) => params.get(name)), [params]);
  return [filters, setFilters];
}

function setFilters(change: (current: ListFilters) => ListFilters, history: "push" | "replace") {
  // read the URL now, not the render's copy: a debounced change must not undo one made meanwhile
  const current = new URLSearchParams(window.location.search);
  const url = `${window.location.pathname}${filtersToSearch(change(filtersFromParams((name) => current.get(name))))}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (history === "push") window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}
