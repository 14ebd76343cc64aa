import { type KeySort, type KeyStatus, ZKeySort, ZKeyStatus } from "@keysmith/validators";

/** What the list shows, as the URL holds it (?q=&status=&sort=): the server render and the browser read the same. */
export interface ListFilters {
  q: string;
  status: KeyStatus | null;
  sort: KeySort;
}

export const DEFAULT_FILTERS: ListFilters = { q: "", status: null, sort: "newest" };

/** Reads the filters from search params; a value the list does not know is ignored, not an error. */
export function filtersFromParams(get: (name: string) => string | null | undefined): ListFilters {
  const status = ZKeyStatus.safeParse(get("status"));
  const sort = ZKeySort.safeParse(get("sort"));
  return {
    // the API allows 64 characters
    q: (get("q") ?? "").trim().slice(0, 64),
    status: status.success ? status.data : null,
    sort: sort.success ? sort.data : DEFAULT_FILTERS.sort,
  };
}

/** Next.js hands a page its search params as a record: the first value of each wins, as URLSearchParams.get does. */
export function filtersFromRecord(params: Record<string, string | string[] | undefined>): ListFilters {
  return filtersFromParams((name) => {
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  });
}

/** The query string for `filters`, defaults left out so /keys stays /keys. */
export function filtersToSearch(filters: ListFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.status) params.set("status", filters.status);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set("sort", filters.sort);
  const search = params.toString();
  return search ? `?${search}` : "";
}

export function isFiltered(filters: ListFilters): boolean {
  return filters.q !== "" || filters.status !== null;
}

/** The list's input: only the keys that are set, so the server's and the browser's query keys are equal. */
export function listInput(filters: ListFilters) {
  return {
    ...(filters.q ? { search: filters.q } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    sort: filters.sort,
  };
}
