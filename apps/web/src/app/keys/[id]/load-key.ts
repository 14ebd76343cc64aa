import "server-only";

import { cache } from "react";

import { ZApiKeyIdParam } from "@keysmith/validators";

import { getQueryClient, trpc } from "~/trpc/server.tsx";

/**
 * The signed-in caller's key `rawId` (the URL segment) with its lineage,
 * fetched into this request's query client so HydrateClient hands it to the
 * browser; null if the id is not one of their keys. One fetch per request,
 * shared by generateMetadata and the page.
 */
export const loadKey = cache(async (rawId: string) => {
  const id = ZApiKeyIdParam.safeParse(rawId);
  if (!id.success) return null;
  try {
    return await getQueryClient().query(trpc.apiKeys.get.queryOptions({ id: id.data }));
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "NOT_FOUND") return null;
    throw error;
  }
});
