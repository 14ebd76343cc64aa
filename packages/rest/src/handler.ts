import { authorize, knownFailure, requireScope } from "@keysmith/core";
import { isCrossSiteRequest, renewedSessionCookie, resolvePrincipal } from "@keysmith/auth";
import { KeysmithError, unexpectedError } from "@keysmith/validators";

import { z } from "zod";

import { failure } from "./envelope.ts";
import { logUnexpectedError } from "./log.ts";
import { openApiDocument } from "./openapi.ts";
import { type Route } from "./route.ts";
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
    return Promise.resolve(new Response(document, { headers: { "content-type": "application/json; charset=utf-8" } }));
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

/** A route with its path split once, when the handler is made, not on every request. */
interface CompiledRoute {
  route: Route;
  parts: string[];
}

function match(want: readonly string[], got: readonly string[]): Record<string, string> | undefined {
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const actual = got[i] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = decodeSegment(actual);
    else if (part !== actual) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new KeysmithError("BAD_REQUEST", `The path segment "${segment.slice(0, 40)}" is not valid percent-encoding.`);
  }
}

/** What the server hosting the handler knows of a request beyond the request itself. */
export interface RequestInfo {
  /** The caller's address, as the server that took the connection decided it (see clientAddress in @keysmith/auth). */
  clientAddress: string;
}

/**
 * The REST adapter: one fetch-style handler serving the documented API. It
 * resolves the caller, calls domain functions, and maps results and
 * KeysmithErrors to the documented envelope and HTTP statuses. Nothing else.
 */
export function createRestHandler(options: RestHandlerOptions = {}): (request: Request, info: RequestInfo) => Promise<Response> {
  const basePath = (options.basePath ?? "/api/v1").replace(/\/$/, "");
  const compiled: CompiledRoute[] = (options.routes ?? routes).map((route) => ({ route, parts: route.path.split("/") }));

  return async function handle(request, info) {
    const now = new Date();
    const url = new URL(request.url);
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length).replace(/\/$/, "") || "/" : undefined;
    // set once the caller is resolved: a slid session's cookie goes out on success and failure alike
    let renewal: string | undefined;
    const answer = (response: Response) => {
      if (renewal) response.headers.append("set-cookie", renewal);
      return response;
    };
    try {
      const segments = path?.split("/");
      const matched = segments === undefined ? [] : compiled.flatMap(({ route, parts }) => {
        const params = match(parts, segments);
        return params ? [{ route, params }] : [];
      });
      // a literal path (/api-keys/verify) is not also an id: its wrong methods are a 405, not "verify is not an id"
      const literal = matched.filter(({ route }) => !route.path.includes(":"));
      const candidates = literal.length > 0 ? literal : matched;
      if (candidates.length === 0) {
        throw new KeysmithError("NOT_FOUND", `There is no endpoint at ${url.pathname}.`);
      }
      const found = candidates.find(({ route }) => route.method === request.method);
      if (!found) {
        const allowed = [...new Set(candidates.map(({ route }) => route.method))].join(", ");
        return failure(new KeysmithError("METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${url.pathname}; use ${allowed}.`), { allow: allowed });
      }

      const input = { request, basePath, params: found.params, clientAddress: info.clientAddress, now };
      if (!found.route.auth) return await found.route.handle(input);

      const resolution = await resolvePrincipal(request.headers, { now, clientAddress: info.clientAddress, renewSessions: true });
      renewal = renewedSessionCookie(resolution.principal, request.headers.get("cookie"), request.url, request.headers);
      const principal = authorize(resolution, { mutation: request.method !== "GET", crossSite: isCrossSiteRequest(request.headers, request.url) });
      requireScope(principal, found.route.scope);
      return answer(await found.route.handle({ ...input, principal }));
    } catch (error) {
      const known = knownFailure(error);
      if (known) return answer(failure(known));
      logUnexpectedError("rest", `${request.method} ${url.pathname}`, error, request.headers.get("x-request-id"));
      return answer(failure(unexpectedError()));
    }
  };
}
