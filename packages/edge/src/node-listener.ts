import { type IncomingMessage, type ServerResponse } from "node:http";
import { type TLSSocket } from "node:tls";

import { getRequestListener, RequestError } from "@hono/node-server";
import { authEnv, clientAddress, type TrustedProxies } from "@keysmith/auth";
import { createRestCore, failure, logUnexpectedError, toResponse } from "@keysmith/rest";
import { KeysmithError, unexpectedError } from "@keysmith/validators";
import { type Logger } from "pino";

import { answerBatch } from "./answer-batch.ts";
import { createApiHandler, isApiPath, surfaceOf } from "./api-handler.ts";
import { headerValue, NodeRestRequest } from "./node-rest-request.ts";
import { logUnexpectedErrorsAsJson, processLog } from "./log.ts";
import { countRequest } from "./metrics.ts";
import { requestIdFor } from "./request-id.ts";
import { requestLogWriter } from "./request-log.ts";
import { ALLOWED_METHODS, checkRequestTarget, originForm, pathOf } from "./request-target.ts";
import { routeLabel } from "./route-label.ts";
import { edgeSecurityHeaders } from "./security-headers.ts";
import { writeAnswer } from "./write-response.ts";

/** What the edge decided about a request, for whoever serves it. */
export interface RequestFacts {
  /** The client's address (see clientAddress in @keysmith/auth). */
  clientAddress: string;
  /** Whether the client reached us over HTTPS, directly or through a trusted proxy. */
  https: boolean;
  /** The origin the client addressed ("https://keys.example.com"): behind a trusted proxy, its X-Forwarded-Proto and -Host. */
  origin: string;
}

/** Serves what is not the API: the web app's pages (Next.js). */
export type PageHost = (req: IncomingMessage, res: ServerResponse, facts: RequestFacts) => void | Promise<void>;

/** Headers only a trusted proxy may set: from anyone else they are dropped, so nothing further along (Next.js) can believe them. */
function dropProxyHeaders(req: IncomingMessage): void {
  const headers = req.headers;
  // only those present: a `delete` turns the headers object into a slower dictionary for every later read
  if (headers["x-forwarded-for"] !== undefined) delete headers["x-forwarded-for"];
  if (headers["x-forwarded-proto"] !== undefined) delete headers["x-forwarded-proto"];
  if (headers["x-forwarded-host"] !== undefined) delete headers["x-forwarded-host"];
  if (headers.forwarded !== undefined) delete headers.forwarded;
}

/** A Host (or trusted X-Forwarded-Host): a name or an address, and a port; nothing that could reshape a URL. */
const HOST = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The first value of a header a trusted proxy set (`X-Forwarded-Proto: https, http` names the outermost first). */
function firstOf(value: string | null): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

/** What the request's log line, its count and its headers need, found out while serving it. */
interface Served {
  route: string;
  clientAddress: string;
  requestId: string;
  https: boolean;
}

/** The edge's headers for a response, as one flat name, value list: the security headers and X-Request-Id. */
function edgeHeaders(served: Served, api: boolean): string[] {
  return [...edgeSecurityHeaders(served.https, api), "x-request-id", served.requestId];
}

/** The API's answers carry the edge's headers in the same writeHead (no setHeader before it: that is Node's slower path). */
function apiHeaders(served: Served): string[] {
  return edgeHeaders(served, true);
}

/** Pages (Next.js) and the adapter's answers write their own headers: the edge's are set first. */
function setEdgeHeaders(res: ServerResponse, served: Served, api: boolean): void {
  const headers = edgeHeaders(served, api);
  for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i] as string, headers[i + 1] as string);
}

export interface NodeListenerOptions {
  pages?: PageHost;
  /** Where request lines and unexpected errors are written; the process's log (stdout) by default. */
  log?: Logger;
  /** Whose X-Forwarded-* and Forwarded headers to believe; KEYSMITH_TRUSTED_PROXIES, read when the listener is made, by default. */
  trustedProxies?: TrustedProxies;
}

/**
 * The Node request listener both apps serve: every response gets the common
 * security headers and an X-Request-Id (the client's, when acceptable);
 * request targets that parsers would rewrite are refused in the envelope; the
 * client's address is the socket's unless a trusted proxy says otherwise; API
 * paths go to the shared API handler, anything else to `pages` (apps/web) or
 * a 404 envelope (apps/server). Every request is counted for /metrics and
 * logged in one JSON line, without its body, headers or query.
 */
export function createNodeListener(options: NodeListenerOptions = {}) {
  const log = options.log ?? processLog();
  logUnexpectedErrorsAsJson(log);
  const writeRequestLine = requestLogWriter(log);
  // read once, when the listener is made: reading process.env scans the environment and makes a string each time (a microsecond a request)
  const trusted = options.trustedProxies ?? authEnv.trustedProxies();
  const api = createApiHandler();
  // the REST API is served straight from Node's request (no fetch Request/Response); tRPC and the health checks through the adapter
  const rest = createRestCore({ basePath: "/api/v1" });
  const facts = new WeakMap<IncomingMessage, RequestFacts>();
  // REST answers go out together, after the turn's I/O (see answerBatch)
  const answerSoon = answerBatch<Served>((res, error, served) => onServeError(res.req, res, served, error, "writing the answer"));
  const apiListener = getRequestListener(
    (request, env) => {
      const known = facts.get(env.incoming as IncomingMessage);
      return api(request, { clientAddress: known?.clientAddress ?? "unknown" });
    },
    {
      hostname: "localhost",
      errorHandler(error) {
        // the adapter could not make a URL of the Host header and target: the client's mistake, not ours
        if (error instanceof RequestError) {
          return toResponse(failure(new KeysmithError("BAD_REQUEST", "The request's Host header or target is not a valid URL; send a plain host name and a path.")));
        }
        logUnexpectedError("edge", "the HTTP adapter", error);
        return toResponse(failure(unexpectedError()));
      },
    },
  );

  // Not async: a REST answer at hand (a warm verification) is written in the turn that made it (at once, or at its end: answerBatch).
  function serve(req: IncomingMessage, res: ServerResponse, served: Served): void | Promise<void> {
    const peer = req.socket.remoteAddress;
    const viaTrustedProxy = peer !== undefined && trusted.trusts(peer);
    served.clientAddress = clientAddress(peer, headerValue(req.headers, "x-forwarded-for"), trusted);
    const forwardedProto = viaTrustedProxy ? firstOf(headerValue(req.headers, "x-forwarded-proto")) : undefined;
    const forwardedHost = viaTrustedProxy ? firstOf(headerValue(req.headers, "x-forwarded-host")) : undefined;
    const https = Boolean((req.socket as Partial<TLSSocket>).encrypted) || forwardedProto === "https";
    served.https = https;

    const target = req.url ?? "/";
    const problem = checkRequestTarget(req.method ?? "GET", target);
    if (problem) {
      writeAnswer(res, failure(problem, problem.code === "METHOD_NOT_ALLOWED" ? { allow: ALLOWED_METHODS } : {}), apiHeaders(served));
      return;
    }

    const host = forwardedHost ?? headerValue(req.headers, "host") ?? "localhost";
    if (!HOST.test(host)) {
      writeAnswer(res, failure(new KeysmithError("BAD_REQUEST", "The request's Host header is not a host name or address (with an optional port).")), apiHeaders(served));
      return;
    }
    const known: RequestFacts = {
      clientAddress: served.clientAddress,
      https,
      origin: `${https ? "https" : "http"}://${host}`,
    };
    if (!viaTrustedProxy) dropProxyHeaders(req);
    const path = pathOf(target);
    served.route = routeLabel(path, options.pages !== undefined);
    // "//api/v1/x" is no page either: the API answers it (404) in its envelope
    if (options.pages && !isApiPath(path.replace(/^\/+/, "/"))) {
      // absolute-form ("GET http://host/path"), which HTTP/1.1 servers must accept, as the origin-form Next.js expects
      req.url = originForm(target);
      setEdgeHeaders(res, served, false);
      return options.pages(req, res, known);
    }
    // The URL as the client addressed it, always rebuilt from the checked path and host (behind a trusted
    // proxy, its scheme and host): origin checks and cookies depend on it, so a client's absolute-form
    // target ("GET https://elsewhere/api/v1/…") never chooses it.
    const url = `${known.origin}${originForm(target)}`;
    if (surfaceOf(path) === "rest") {
      const answer = rest(new NodeRestRequest(req, url, path), { clientAddress: known.clientAddress });
      if (answer instanceof Promise) return answer.then((done) => answerSoon(res, done, apiHeaders(served), served));
      answerSoon(res, answer, apiHeaders(served), served);
      return;
    }
    setEdgeHeaders(res, served, true);
    facts.set(req, known);
    req.url = url;
    return apiListener(req, res);
  }

  /** What else can throw (the page host, writing an answer) still gets the client an answer: the API handler answers its own failures. */
  function onServeError(req: IncomingMessage, res: ServerResponse, served: Served, error: unknown, what = "the page host"): void {
    logUnexpectedError("edge", `${what} on ${req.method ?? "?"} ${pathOf(req.url ?? "/")}`, error, served.requestId);
    if (res.headersSent) res.destroy();
    else writeAnswer(res, failure(unexpectedError()), apiHeaders(served));
  }

  return function listener(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const started = performance.now();
    const requestId = requestIdFor(req.headers["x-request-id"]);
    // what the page host (Next.js) reads is the id the response carries, never a refused one
    req.headers["x-request-id"] = requestId;
    // refused before routing, a request is "other", from the socket's address
    const served: Served = { route: "other", clientAddress: req.socket.remoteAddress ?? "unknown", requestId, https: false };
    // on, not once: "close" comes once, and once() wraps the listener in a function of its own per request
    res.on("close", () => {
      const status = res.statusCode;
      countRequest(req.method ?? "", served.route, status);
      writeRequestLine({
        requestId,
        method: req.method,
        route: served.route,
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        clientAddress: served.clientAddress,
        aborted: !res.writableFinished,
      });
    });
    let serving: void | Promise<void>;
    try {
      serving = serve(req, res, served);
    } catch (error) {
      onServeError(req, res, served, error);
      return;
    }
    if (serving instanceof Promise) return serving.catch((error: unknown) => onServeError(req, res, served, error));
  };
}
