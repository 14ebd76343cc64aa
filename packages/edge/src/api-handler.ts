import { withKeysHidden } from "@keysmith/auth";
import { createRestHandler, failure, toResponse } from "@keysmith/rest";
import { KeysmithError } from "@keysmith/validators";

import { healthz, readyz } from "./health.ts";
import { createTrpcHandler } from "./trpc-handler.ts";

/** What the server that took the connection knows of a request. */
export interface EdgeInfo {
  clientAddress: string;
}

/**
 * Which part of the API a path belongs to, or undefined when it is the
 * host's (Next's pages, or apps/server's 404): the one list both the listener
 * and the dispatch below read. A bare /api/trpc names no procedure, but is
 * still the API's to refuse.
 */
export function surfaceOf(pathname: string): "rest" | "trpc" | "healthz" | "readyz" | "none" | undefined {
  if (pathname === "/api/v1" || pathname.startsWith("/api/v1/")) return "rest";
  if (pathname.startsWith("/api/trpc/")) return "trpc";
  if (pathname === "/healthz") return "healthz";
  if (pathname === "/readyz") return "readyz";
  return pathname === "/api/trpc" ? "none" : undefined;
}

export function isApiPath(pathname: string): boolean {
  return surfaceOf(pathname) !== undefined;
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
    const surface = surfaceOf(path);
    if (surface === "rest") return rest(request, info);
    if (surface === "trpc") return trpc(request, info);
    if (surface === "healthz" && request.method === "GET") return healthz();
    if (surface === "readyz" && request.method === "GET") return readyz();
    return Promise.resolve(toResponse(failure(new KeysmithError("NOT_FOUND", `There is no endpoint at ${withKeysHidden(path)}.`))));
  };
}
