"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

/** Reads a page's state from the URL's search params; a value it does not know is ignored, not an error. */
export type FromParams<T> = (get: (name: string) => string | null | undefined) => T;

/** Changes the URL-held state: "push" for a choice Back should undo, "replace" for typing. */
export type SetUrlParams<T> = (change: (current: T) => T, history: "push" | "replace") => void;

/**
 * A list's filters, kept in the URL. They change it through the History
 * API, which Next.js follows (useSearchParams updates) without a server
 * round trip; a reload or a shared link renders the same list on the server.
 * `fromParams` and `toSearch` must be module-level functions, so the setter
 * keeps its identity between renders.
 */
export function useUrlParams<T>(fromParams: FromParams<T>, toSearch: (value: T) => string): [T, SetUrlParams<T>] {
  const params = useSearchParams();
  const value = useMemo(() => fromParams((name) => params.get(name)), [params, fromParams]);
  const set = useCallback<SetUrlParams<T>>(
    (change, history) => {
      // read the URL now, not the render's copy: a debounced change must not undo one made meanwhile
      const current = new URLSearchParams(window.location.search);
      const url = `${window.location.pathname}${toSearch(change(fromParams((name) => current.get(name))))}`;
      if (url === `${window.location.pathname}${window.location.search}`) return;
      if (history === "push") window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    },
    [fromParams, toSearch],
  );
  return [value, set];
}
