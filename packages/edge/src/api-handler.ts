import { withKeysHidden } from "@keysmith/auth";
import { createRestHandler, failure, toResponse, withoutBody } from "@keysmith/rest";
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
  function dispatch(request: Request, info: EdgeInfo): Promise<Response> {
    const path = new URL(request.url).pathname;
    const surface = surfaceOf(path);
    if (surface === "rest") return rest(request, info);
    if (surface === "trpc") return trpc(request, info);
    if (surface === "healthz" || surface === "readyz") {
      if (request.method === "GET" || request.method === "HEAD") return surface === "healthz" ? healthz() : readyz();
      return Promise.resolve(
        toResponse(failure(new KeysmithError("METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${path}; use GET, HEAD.`), { allow: "GET, HEAD" })),
      );
    }
    return Promise.resolve(toResponse(failure(new KeysmithError("NOT_FOUND", `There is no endpoint at ${withKeysHidden(path)}.`))));
  }
  // HEAD is answered as GET is, without the body (Node's http leaves it out too; a fetch caller gets none here)
  return function api(request, info) {
    const answer = dispatch(request, info);
    return request.method === "HEAD" ? answer.then(withoutBody) : answer;
  };
}
