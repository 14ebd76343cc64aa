import { QueryClient } from "@tanstack/react-query";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // server-prefetched data is fresh on arrival; don't refetch it at once
      queries: { staleTime: 30_000 },
    },
  });
}
