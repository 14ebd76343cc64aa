import { appRouter } from "@keysmith/api";
import { routePattern } from "@keysmith/rest";

import { surfaceOf } from "./api-handler.ts";

const REST_BASE = "/api/v1";
const TRPC_BASE = "/api/trpc/";

const procedures = new Set(Object.keys(appRouter._def.procedures));

// one label string per pattern, made once: not a new string on every request
const restLabels = new Map<string, string>();

function restRoute(path: string): string {
  // the REST handler's own route table decides, so a label names exactly the route that answered
  const pattern = routePattern(path.slice(REST_BASE.length));
  if (pattern === undefined) return "other";
  let label = restLabels.get(pattern);
  if (label === undefined) restLabels.set(pattern, (label = `${REST_BASE}${pattern}`));
  return label;
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
