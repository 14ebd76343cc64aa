import { type HttpBindings } from "@hono/node-server";

import { appRouter, clientAddressOf, createRequestContext } from "@keysmith/api";
import { keyCache, keyEventsStatus } from "@keysmith/auth";
import { createRestHandler } from "@keysmith/rest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });

/** The caller's address: the proxy's X-Forwarded-For if there is one, else the socket's. */
function addressOf(request: Request, incoming: HttpBindings["incoming"] | undefined): string {
  const forwarded = clientAddressOf(request.headers);
  return forwarded !== "unknown" ? forwarded : (incoming?.socket.remoteAddress ?? "unknown");
}

/**
 * The lean server's whole surface: the documented REST API, the tRPC router
 * and a health check, dispatched by path prefix. No framework routing.
 */
export function createApp() {
  const rest = createRestHandler({ basePath: "/api/v1" });
  return async function fetch(request: Request, env?: Partial<HttpBindings>): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/api/v1/") || path === "/api/v1") {
      return rest(request, { clientAddress: addressOf(request, env?.incoming) });
    }
    if (path.startsWith("/api/trpc/")) {
      return fetchRequestHandler({
        endpoint: "/api/trpc",
        router: appRouter,
        req: request,
        createContext: ({ resHeaders }) =>
          createRequestContext({ headers: request.headers, url: request.url, resHeaders, clientAddress: addressOf(request, env?.incoming) }),
      });
    }
    if (path === "/healthz") {
      return json({ status: "ok", pid: process.pid, cachedKeys: keyCache.size, keyEvents: keyEventsStatus() });
    }
    return json({ data: null, message: `There is no endpoint at ${path}.`, status: "failed" }, 404);
  };
}
