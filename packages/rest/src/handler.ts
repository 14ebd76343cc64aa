import { authorize, knownFailure, requireScope } from "@keysmith/core";
import { isCrossSiteRequest, renewedSessionCookie, type Resolution, resolvePrincipal, withKeysHidden } from "@keysmith/auth";
import { KeysmithError, unexpectedError } from "@keysmith/validators";

import { z } from "zod";

import { type RestAnswer, toResponse, withoutBody } from "./answer.ts";
import { failure } from "./envelope.ts";
import { logUnexpectedError } from "./log.ts";
import { openApiDocument } from "./openapi.ts";
import { MAX_BODY_BYTES, readLimitedBytes } from "./read-body.ts";
import { type RestRequest } from "./rest-request.ts";
import { type ProtectedRoute, type Route } from "./route.ts";
import {
  apiKeyUsageRoute,
  createApiKeyRoute,
  deleteApiKeyRoute,
  getApiKeyRoute,
  listApiKeysRoute,
  revokeApiKeyRoute,
  rollApiKeyRoute,
  updateApiKeyRoute,
  verifyApiKeyRoute,
} from "./routes/api-keys.ts";
import { auditLogRoute } from "./routes/audit-log.ts";
import { importApiKeysRoute } from "./routes/import.ts";
import { githubSecretScanningRoute, reportLeakRoute } from "./routes/leaks.ts";
import { loginRoute } from "./routes/login.ts";
import { logoutRoute } from "./routes/logout.ts";
import { accountUsageRoute } from "./routes/usage.ts";

const apiRoutes: readonly Route[] = [
  loginRoute,
  logoutRoute,
  createApiKeyRoute,
  listApiKeysRoute,
  verifyApiKeyRoute,
  importApiKeysRoute,
  reportLeakRoute,
  getApiKeyRoute,
  apiKeyUsageRoute,
  updateApiKeyRoute,
  deleteApiKeyRoute,
  revokeApiKeyRoute,
  rollApiKeyRoute,
  accountUsageRoute,
  auditLogRoute,
  githubSecretScanningRoute,
];

/** GET /openapi.json: the OpenAPI 3.1 document, generated from the routes below and the shared schemas. */
const openApiRoute: Route = {
  method: "GET",
  path: "/openapi.json",
  auth: false,
  doc: {
    summary: "This API's OpenAPI 3.1 document",
    data: z.object({ openapi: z.literal("3.1.0") }).loose(),
    status: 200,
    message: "The OpenAPI document",
    errors: [],
    raw: true,
  },
  handle: ({ basePath }) => {
    let document = documents.get(basePath);
    if (!document) {
      document = JSON.stringify(openApiDocument(routes, basePath));
      documents.set(basePath, document);
    }
    // not cached, as no answer is: a deployment that changes its API must not be described by an old copy
    return Promise.resolve({ status: 200, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }, body: document });
  },
};
/** Generated once per mount point. */
const documents = new Map<string, string>();

export const routes: readonly Route[] = [...apiRoutes, openApiRoute];

export interface RestHandlerOptions {
  /** Where the API is mounted; the documented paths sit under it. */
  basePath?: string;
  routes?: readonly Route[];
}

/** A route with a `:param` segment, its path split once, when the handler is made, not on every request. */
interface ParamRoute {
  route: Route;
  parts: string[];
}

interface Matched {
  route: Route;
  params: Record<string, string>;
}

/** Whether `got` fills the pattern `want`: as many segments, each literal one the same. */
function fits(want: readonly string[], got: readonly string[]): boolean {
  if (want.length !== got.length) return false;
  for (let i = 0; i < want.length; i += 1) {
    const part = want[i] as string;
    if (!part.startsWith(":") && part !== got[i]) return false;
  }
  return true;
}

/** The `:param` segments of a path that fits its pattern, decoded. */
function paramsOf(want: readonly string[], got: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) if (part.startsWith(":")) params[part.slice(1)] = decodeSegment(got[i] ?? "");
  return params;
}

/** The refusal of a path segment whose percent-encoding does not decode, quoting it with any key in it cut. */
export function badPercentEncoding(segment: string): KeysmithError {
  return new KeysmithError("BAD_REQUEST", `The path segment "${withKeysHidden(segment.slice(0, 40))}" is not valid percent-encoding.`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badPercentEncoding(segment);
  }
}

const NO_PARAMS: Record<string, string> = Object.freeze({});

interface RouteTable {
  /**
   * The routes a path names: its literal routes when it has any (so
   * /api-keys/verify is never also an id, and its wrong methods are a 405),
   * else those whose `:param` segments it fills.
   */
  routesOf: (path: string) => Matched[];
  /** The pattern of the routes a path names ("/api-keys/:id"), by the same rule, whatever the method; undefined: none. */
  patternOf: (path: string) => string | undefined;
}

function routeTable(all: readonly Route[]): RouteTable {
  const literal = new Map<string, Matched[]>();
  const withParams: ParamRoute[] = [];
  for (const route of all) {
    if (route.path.includes(":")) withParams.push({ route, parts: route.path.split("/") });
    else literal.set(route.path, [...(literal.get(route.path) ?? []), { route, params: NO_PARAMS }]);
  }
  return {
    routesOf: (path) => {
      const found = literal.get(path);
      if (found) return found;
      const segments = path.split("/");
      return withParams.flatMap(({ route, parts }) => (fits(parts, segments) ? [{ route, params: paramsOf(parts, segments) }] : []));
    },
    patternOf: (path) => {
      if (literal.has(path)) return path;
      const segments = path.split("/");
      return withParams.find(({ parts }) => fits(parts, segments))?.route.path;
    },
  };
}

const defaultTable = routeTable(routes);

/**
 * The pattern of the documented route a path below the base path names
 * ("/api-keys/42/" → "/api-keys/:id"), whatever the method, by the handler's
 * own rule; undefined when none does. For metrics and logs, which must never
 * carry the path itself.
 */
export function routePattern(path: string): string | undefined {
  return defaultTable.patternOf(withoutTrailingSlash(path) || "/");
}

/** What the server hosting the handler knows of a request beyond the request itself. */
export interface RequestInfo {
  /** The caller's address, as the server that took the connection decided it (see clientAddress in @keysmith/auth). */
  clientAddress: string;
}

function withRenewal(answer: RestAnswer, renewal: string | undefined): RestAnswer {
  if (renewal) answer.headers["set-cookie"] = renewal;
  return answer;
}

function withoutTrailingSlash(path: string): string {
  return path.endsWith("/") ? path.slice(0, -1) : path;
}

/** The candidate for `method`: a loop rather than find(), which made a closure per request. */
function withMethod(candidates: readonly Matched[], method: string): Matched | undefined {
  for (const candidate of candidates) if (candidate.route.method === method) return candidate;
  return undefined;
}

/** The answer a handler that gave up with `error` gets: the envelope of a KeysmithError, else a logged 500. */
function failed(error: unknown, request: RestRequest): RestAnswer {
  const known = knownFailure(error);
  if (known) return failure(known);
  logUnexpectedError("rest", `${request.method} ${request.pathname}`, error, request.headers.get("x-request-id"));
  return failure(unexpectedError());
}

/** What a route answered, its failures (thrown now or later) made envelopes. */
function settled(answer: RestAnswer | Promise<RestAnswer>, request: RestRequest): RestAnswer | Promise<RestAnswer> {
  return answer instanceof Promise ? answer.catch((error: unknown) => failed(error, request)) : answer;
}

/** The handler's input for a protected route, made whole here rather than spread from the public one: a spread is a slow object copy. */
function authorizedCall(route: ProtectedRoute, request: RestRequest, basePath: string, params: Record<string, string>, info: RequestInfo, now: Date, resolution: Resolution): RestAnswer | Promise<RestAnswer> {
  // a slid session's cookie goes out on success and failure alike
  let renewal: string | undefined;
  let answer: RestAnswer | Promise<RestAnswer>;
  try {
    renewal = renewedSessionCookie(resolution.principal, request.headers.get("cookie"), request.url, request.headers);
    // HEAD was answered by a GET route: only a route's own method says whether it changes anything
    const principal = authorize(resolution, { mutation: route.method !== "GET", crossSite: isCrossSiteRequest(request.headers, request.url) });
    requireScope(principal, route.scope);
    answer = settled(route.handle({ request, basePath, params, clientAddress: info.clientAddress, now, principal }), request);
  } catch (error) {
    answer = failed(error, request);
  }
  if (renewal === undefined) return answer;
  const cookie = renewal;
  return answer instanceof Promise ? answer.then((done) => withRenewal(done, cookie)) : withRenewal(answer, cookie);
}

/**
 * The REST handler as the lean server calls it. An answer that needs no
 * waiting (a warm key's verification, once its body is in) comes back as a
 * value, not a promise: a cached verification is answered in the turn its
 * body arrives, with no chain of promises to settle first.
 */
export type RestCore = (request: RestRequest, info: RequestInfo) => RestAnswer | Promise<RestAnswer>;

/**
 * The REST adapter: one handler serving the documented API, over one route
 * table. It resolves the caller, calls domain functions, and maps results and
 * KeysmithErrors to the documented envelope and HTTP statuses. Nothing else.
 * This is the handler the lean server calls with Node's request;
 * createRestHandler below is the same one for fetch `Request`s.
 */
export function createRestCore(options: RestHandlerOptions = {}): RestCore {
  const basePath = (options.basePath ?? "/api/v1").replace(/\/$/, "");
  const { routesOf } = routeTable(options.routes ?? routes);

  return function handle(request, info) {
    const now = new Date();
    const { pathname } = request;
    const path = pathname.startsWith(basePath) ? withoutTrailingSlash(pathname.slice(basePath.length)) || "/" : undefined;
    try {
      const candidates = path === undefined ? [] : routesOf(path);
      if (candidates.length === 0) {
        throw new KeysmithError("NOT_FOUND", `There is no endpoint at ${withKeysHidden(pathname)}.`);
      }
      // HEAD is GET without the body (RFC 9110): answered as GET, the server leaves the body out
      const found = withMethod(candidates, request.method === "HEAD" ? "GET" : request.method);
      if (!found) {
        const allowed = [...new Set(candidates.flatMap(({ route }) => (route.method === "GET" ? ["GET", "HEAD"] : [route.method])))].join(", ");
        return failure(new KeysmithError("METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${withKeysHidden(pathname)}; use ${allowed}.`), { allow: allowed });
      }

      const { route, params } = found;
      if (!route.doc.body && route.method !== "GET" && carriesBody(request)) {
        // a route that takes no body still refuses one over the limit (413), as every route does: read to the limit, then
        // dropped. A GET's body means nothing and fetch cannot send one; it is never read.
        const read = request.bytes(MAX_BODY_BYTES);
        if (read instanceof Promise) return read.then(() => serve(route, params, request, info, now), (error: unknown) => failed(error, request));
      }
      return serve(route, params, request, info, now);
    } catch (error) {
      return failed(error, request);
    }
  };

  function serve(route: Route, params: Record<string, string>, request: RestRequest, info: RequestInfo, now: Date): RestAnswer | Promise<RestAnswer> {
    if (!route.auth) return settled(route.handle({ request, basePath, params, clientAddress: info.clientAddress, now }), request);
    // the route's scope is checked as the key is verified: a key refused for it spends no credit and no admission
    const resolution = resolvePrincipal(request.headers, { now, clientAddress: info.clientAddress, renewSessions: true, scope: route.scope });
    if (resolution instanceof Promise) {
      return resolution.then(
        (resolved) => authorizedCall(route, request, basePath, params, info, now, resolved),
        (error: unknown) => failed(error, request),
      );
    }
    return authorizedCall(route, request, basePath, params, info, now, resolution);
  }
}

/** Whether a request carries a body: a fetch Request knows; over HTTP, a Content-Length above 0 or chunks say so. */
function carriesBody(request: RestRequest): boolean {
  if (request.hasBody !== undefined) return request.hasBody;
  const length = request.headers.get("content-length");
  return (length !== null && length.trim() !== "0") || request.headers.get("transfer-encoding") !== null;
}

/** The REST handler for fetch `Request`s (apps/web's route handlers, tests): the same handler, the same routes. */
export function createRestHandler(options: RestHandlerOptions = {}): (request: Request, info: RequestInfo) => Promise<Response> {
  const core = createRestCore(options);
  return async (request, info) => {
    const restRequest: RestRequest = {
      method: request.method,
      url: request.url,
      pathname: new URL(request.url).pathname,
      headers: request.headers,
      bytes: (maxBytes) => readLimitedBytes(request, maxBytes),
      hasBody: request.body !== null,
    };
    const answer = await core(restRequest, info);
    return request.method === "HEAD" ? withoutBody(toResponse(answer)) : toResponse(answer);
  };
}
