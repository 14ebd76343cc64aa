import { type TRPCOptionsProxy } from "@trpc/tanstack-react-query";

import { type AppRouter } from "@keysmith/api";

import { type ListFilters, listInput } from "./list-filters.ts";

/** The key list's infinite query, one definition for the server's prefetch and the browser. */
export function keyListOptions(trpc: TRPCOptionsProxy<AppRouter>, filters: ListFilters) {
  return trpc.apiKeys.list.infiniteQueryOptions(listInput(filters), { getNextPageParam: (page) => page.nextCursor });
}
