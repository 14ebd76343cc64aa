import { type KeySort, type KeyStatus, LIMITS, ZKeySort, ZKeyStatus } from "@keysmith/validators";

/** What the list shows, as the URL holds it (?search=&status=&sort=, as the REST list names them): the server render and the browser read the same. */
export interface ListFilters {
  search: string;
  status: KeyStatus | null;
  sort: KeySort;
}

export const DEFAULT_FILTERS: ListFilters = { search: "", status: null, sort: "newest" };

/**
 * Search text as the list may hold it in the URL: a whole key pasted into the
 * search box is cut to its display prefix, which finds it just as well, so
 * the secret never reaches the address bar, history or a server's log.
 */
export function searchable(text: string): string {
  const trimmed = text.trim();
  // the API allows 64 characters
  return /^ak_[A-Za-z0-9_-]{20,}$/.test(trimmed) ? trimmed.slice(0, LIMITS.keyDisplayPrefix.length) : trimmed.slice(0, 64);
}

/** Reads the filters from search params; a value the list does not know is ignored, not an error. */
export function filtersFromParams(get: (name: string) => string | null | undefined): ListFilters {
  const status = ZKeyStatus.safeParse(get("status"));
  const sort = ZKeySort.safeParse(get("sort"));
  return {
    search: searchable(get("search") ?? ""),
    status: status.success ? status.data : null,
    sort: sort.success ? sort.data : DEFAULT_FILTERS.sort,
  };
}

/** The query string for `filters`, defaults left out so /keys stays /keys. */
export function filtersToSearch(filters: ListFilters): string {
  const params = new URLSearchParams();
  if (filters.search) params.set("search", filters.search);
  if (filters.status) params.set("status", filters.status);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set("sort", filters.sort);
  const search = params.toString();
  return search ? `?${search}` : "";
}

export function isFiltered(filters: ListFilters): boolean {
  return filters.search !== "" || filters.status !== null;
}

/** The list's input: only the keys that are set, so the server's and the browser's query keys are equal. */
export function listInput(filters: ListFilters) {
  return {
    ...(filters.search ? { search: filters.search } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    sort: filters.sort,
  };
}
