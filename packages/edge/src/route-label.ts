import { appRouter } from "@keysmith/api";
import { routes } from "@keysmith/rest";

import { surfaceOf } from "./api-handler.ts";

const REST_BASE = "/api/v1";
const TRPC_BASE = "/api/trpc/";

// literal paths first: /api-keys/verify is that route, not an id
const restPatterns = [...new Set(routes.map((route) => route.path))]
  .sort((a, b) => Number(a.includes(":")) - Number(b.includes(":")))
  .map((pattern) => ({ pattern, parts: pattern.split("/") }));

// the common case, a literal route's own path, answered without splitting it
const literalLabels = new Map(restPatterns.filter(({ pattern }) => !pattern.includes(":")).map(({ pattern }) => [`${REST_BASE}${pattern}`, `${REST_BASE}${pattern}`]));

const procedures = new Set(Object.keys(appRouter._def.procedures));

function restRoute(path: string): string {
  const literal = literalLabels.get(path);
  if (literal) return literal;
  const rest = path.slice(REST_BASE.length).replace(/\/$/, "") || "/";
  const parts = rest.split("/");
  const found = restPatterns.find(
    (candidate) => candidate.parts.length === parts.length && candidate.parts.every((part, i) => part.startsWith(":") || part === parts[i]),
  );
  return found ? `${REST_BASE}${found.pattern}` : "other";
}

function trpcRoute(path: string): string {
  const names = path.slice(TRPC_BASE.length).split(",");
  if (!names.every((name) => procedures.has(name))) return "other";
  return names.length === 1 ? (names[0] ?? "other") : "batch";
}

/**
 * The `route` of a request in metrics and logs: the REST route's pattern
 * ("/api/v1/api-keys/:id"), the tRPC procedure ("apiKeys.list", or "batch"
 * for several at once), "/healthz", "/readyz", "pages" (apps/web's), or
 * "other". Never the path itself: ids in it would give every key a series of
 * its own, and a scanner's invented paths one each.
 */
export function routeLabel(path: string, servesPages: boolean): string {
  switch (surfaceOf(path)) {
    case "rest":
      return restRoute(path);
    case "trpc":
      return trpcRoute(path);
    case "healthz":
      return "/healthz";
    case "readyz":
      return "/readyz";
    case "none":
      return "other";
    case undefined:
      // the listener hands a doubled slash before an API path to the API, which refuses it
      return servesPages && surfaceOf(path.replace(/^\/+/, "/")) === undefined ? "pages" : "other";
  }
}
