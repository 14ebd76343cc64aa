"use client";

import { useEffect, useRef } from "react";

/** What the foot needs of a list's infinite query (TanStack Query's useInfiniteQuery). */
interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isPlaceholderData: boolean;
  error: { message: string } | null;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * Below a paged list: how much of it is shown ("Showing the first 25 keys",
 * "Showing 1 event that matches"), "Load more" while more follows, and a
 * failed page's error. After "Load more", `focusItem` gets the index of the
 * first item it brought, so focus moves there rather than staying on a
 * button that may have gone.
 */
export function ListFoot({
  className,
  query,
  shown,
  noun,
  partial,
  filtered,
  focusItem,
}: {
  className: string;
  query: PagedQuery;
  shown: number;
  noun: { one: string; many: string };
  /** How a list with more to come is described: its first items, or its latest. */
  partial: "first" | "latest";
  filtered: boolean;
  focusItem: (index: number) => void;
}) {
  const shownBeforeMore = useRef<number | null>(null);

  useEffect(() => {
    if (shownBeforeMore.current === null || query.isFetchingNextPage) return;
    focusItem(shownBeforeMore.current);
    shownBeforeMore.current = null;
  }, [query.isFetchingNextPage, shown, focusItem]);

  const whole = !query.hasNextPage;
  return (
    <>
      <div className={className}>
        <p role="status" className="muted">
          {whole ? (shown === 1 ? `Showing 1 ${noun.one}` : `Showing all ${shown} ${noun.many}`) : `Showing the ${partial} ${shown} ${noun.many}`}
          {filtered ? (shown === 1 && whole ? " that matches" : " that match") : ""}
          {query.isPlaceholderData ? " (updating…)" : ""}
        </p>
        {query.hasNextPage ? (
          <button
            type="button"
            className="secondary"
            disabled={query.isFetchingNextPage}
            onClick={() => {
              shownBeforeMore.current = shown;
              void query.fetchNextPage();
            }}
          >
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        ) : null}
      </div>
      {query.error ? <p className="form-error" role="alert">{query.error.message}</p> : null}
    </>
  );
}
