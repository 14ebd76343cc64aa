import { type TRPCOptionsProxy } from "@trpc/tanstack-react-query";

import { type AppRouter } from "@keysmith/api";

import { type ActivityFilters, activityInput } from "./activity-filters.ts";

/** The audit log's infinite query (25 events a page, the API's default), one definition for the server's prefetch and the browser. */
export function activityOptions(trpc: TRPCOptionsProxy<AppRouter>, filters: ActivityFilters) {
  return trpc.auditLog.list.infiniteQueryOptions(activityInput(filters), { getNextPageParam: (page) => page.nextCursor });
}
