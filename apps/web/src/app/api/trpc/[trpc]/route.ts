import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createRequestContext } from "@keysmith/api";

// Browser traffic for the dashboard. Machine traffic belongs on apps/api.
function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    router: appRouter,
    req: request,
    createContext: ({ resHeaders }) => createRequestContext({ headers: request.headers, url: request.url, resHeaders }),
  });
}

export { handler as GET, handler as POST };
