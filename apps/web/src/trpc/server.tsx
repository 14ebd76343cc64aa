import "server-only";

import { dehydrate, HydrationBoundary, type QueryExecuteOptions, type QueryKey } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache } from "react";

import { type AppRouter, appRouter } from "@keysmith/api";

import { serverContext } from "~/server/context.ts";

import { createQueryClient } from "./query-client.ts";

/** One query client per server request, shared by prefetch and HydrateClient. */
export const getQueryClient = cache(createQueryClient);

export const trpc = createTRPCOptionsProxy<AppRouter>({
  router: appRouter,
  ctx: serverContext,
  queryClient: getQueryClient,
});

export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}

/**
 * Starts a query during the server render without awaiting it; the pending
 * query is streamed to the client by HydrateClient. A failure is left for the
 * client to show, so it is swallowed here.
 */
export function prefetch<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(
  options: QueryExecuteOptions<TQueryFnData, TError, TData, TQueryFnData, TQueryKey>,
) {
  getQueryClient()
    .query(options)
    .catch(() => undefined);
}
