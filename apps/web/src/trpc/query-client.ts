import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

import { isRefusal, sendToLoginIfUnauthorized } from "./session-ended.ts";

// server-prefetched data is fresh on arrival; don't refetch it at once
const STALE_MS = 30_000;

/** A server render's client: it only prefetches, and a failure is left for the browser to show. */
export function createQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { staleTime: STALE_MS } } });
}

/**
 * The browser tab's client. Every query and mutation that finds the session
 * gone sends the person to log in and back (see sendToLoginIfUnauthorized),
 * so no page has to; a 4xx is not retried, since asking again gets the same answer.
 */
export function createBrowserQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: sendToLoginIfUnauthorized }),
    mutationCache: new MutationCache({ onError: sendToLoginIfUnauthorized }),
    defaultOptions: {
      queries: { staleTime: STALE_MS, retry: (failures, error) => failures < 3 && !isRefusal(error) },
    },
  });
}
