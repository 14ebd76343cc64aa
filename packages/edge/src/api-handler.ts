import { createRestHandler, failure } from "@keysmith/rest";
import { KeysmithError } from "@keysmith/validators";

import { healthz, readyz } from "./health.ts";
import { createTrpcHandler } from "./trpc-handler.ts";

/** What the server that took the connection knows of a request. */
export interface EdgeInfo {
  clientAddress: string;
}

/** The paths the API handler answers; everything else is the host's (Next's pages, or a 404). */
export function isApiPath(pathname: string): boolean {
  return pathname === "/api/v1" || pathname.startsWith("/api/v1/") || pathname === "/api/trpc" || pathname.startsWith("/api/trpc/") || pathname === "/healthz" || pathname === "/readyz";
}

/**
 * Keysmith's whole HTTP API, the same in both apps: the documented REST API
 * (/api/v1), the tRPC router (/api/trpc) and the health checks, dispatched by
 * path prefix. No framework routing.
 */
export function createApiHandler(): (request: Request, info: EdgeInfo) => Promise<Response> {
  const rest = createRestHandler({ basePath: "/api/v1" });
  const trpc = createTrpcHandler();
  return function api(request, info) {
    const path = new URL(request.url).pathname;
    if (path === "/api/v1" || path.startsWith("/api/v1/")) return rest(request, info);
    if (path.startsWith("/api/trpc/")) return trpc(request, info);
    if (path === "/healthz" && request.method === "GET") return healthz();
    if (path === "/readyz" && request.method === "GET") return readyz();
    return Promise.resolve(failure(new KeysmithError("NOT_FOUND", `There is no endpoint at ${path}.`)));
  };
}
