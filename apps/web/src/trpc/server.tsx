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
 * Runs a query during the server render, for HydrateClient to hand its result
 * to the client. Awaited, not streamed while pending: a client component
 * reading a pending query with useQuery renders "loading" on the server but
 * may find the streamed result already there when it hydrates, and React then
 * throws the page away (hydration mismatch). A failure is left for the client
 * to show (failed queries are not sent), so it is swallowed here.
 */
export async function prefetch<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(
  options: QueryExecuteOptions<TQueryFnData, TError, TData, TQueryFnData, TQueryKey>,
): Promise<void> {
  await getQueryClient()
    .query(options)
    .catch(() => undefined);
}
