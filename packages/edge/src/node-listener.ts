import { type IncomingMessage, type ServerResponse } from "node:http";
import { type TLSSocket } from "node:tls";

import { getRequestListener } from "@hono/node-server";
import { authEnv, clientAddress } from "@keysmith/auth";
import { failure, logUnexpectedError } from "@keysmith/rest";
import { type KeysmithError, unexpectedError } from "@keysmith/validators";

import { createApiHandler, isApiPath } from "./api-handler.ts";
import { ALLOWED_METHODS, checkRequestTarget } from "./request-target.ts";
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from "./security-headers.ts";

/** What the edge decided about a request, for whoever serves it. */
export interface RequestFacts {
  /** The client's address (see clientAddress in @keysmith/auth). */
  clientAddress: string;
  /** Whether the client reached us over HTTPS, directly or through a trusted proxy. */
  https: boolean;
}

/** Serves what is not the API: the web app's pages (Next.js). */
export type PageHost = (req: IncomingMessage, res: ServerResponse, facts: RequestFacts) => void | Promise<void>;

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value.join(",") : value) ?? null;
}

/** The first value of a header a trusted proxy set (`X-Forwarded-Proto: https, http` names the outermost first). */
function firstOf(value: string | null): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const body = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

/**
 * The Node request listener both apps serve: every response gets the common
 * security headers; request targets that parsers would rewrite are refused in
 * the envelope; the client's address is the socket's unless a trusted proxy
 * says otherwise; API paths go to the shared API handler, anything else to
 * `pages` (apps/web) or a 404 envelope (apps/server).
 */
export function createNodeListener(options: { pages?: PageHost } = {}) {
  const api = createApiHandler();
  const facts = new WeakMap<IncomingMessage, RequestFacts>();
  const apiListener = getRequestListener(
    (request, env) => {
      const known = facts.get(env.incoming as IncomingMessage);
      return api(request, { clientAddress: known?.clientAddress ?? "unknown" });
    },
    {
      hostname: "localhost",
      errorHandler(error) {
        logUnexpectedError("rest", "the HTTP adapter", error);
        return failure(unexpectedError());
      },
    },
  );

  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const trusted = authEnv.trustedProxies();
    const peer = req.socket.remoteAddress;
    const viaTrustedProxy = peer !== undefined && trusted.trusts(peer);
    const forwardedProto = viaTrustedProxy ? firstOf(header(req, "x-forwarded-proto")) : undefined;
    const https = Boolean((req.socket as Partial<TLSSocket>).encrypted) || forwardedProto === "https";
    for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) res.setHeader(name, value);
    if (https) res.setHeader("strict-transport-security", STRICT_TRANSPORT_SECURITY);

    const target = req.url ?? "/";
    const problem: KeysmithError | undefined = checkRequestTarget(req.method ?? "GET", target);
    if (problem) {
      res.setHeader("content-security-policy", API_CONTENT_SECURITY_POLICY);
      await send(res, failure(problem, problem.code === "METHOD_NOT_ALLOWED" ? { allow: ALLOWED_METHODS } : {}));
      return;
    }

    const known: RequestFacts = { clientAddress: clientAddress(peer, header(req, "x-forwarded-for"), trusted), https };
    const path = target.split("?")[0] ?? "/";
    if (options.pages && !isApiPath(path)) {
      await options.pages(req, res, known);
      return;
    }
    facts.set(req, known);
    // behind a trusted proxy, the URL as the client addressed it: origin checks and cookies depend on it
    const forwardedHost = viaTrustedProxy ? firstOf(header(req, "x-forwarded-host")) : undefined;
    if (target.startsWith("/") && (forwardedProto || forwardedHost)) {
      req.url = `${forwardedProto ?? "http"}://${forwardedHost ?? header(req, "host") ?? "localhost"}${target}`;
    }
    res.setHeader("content-security-policy", API_CONTENT_SECURITY_POLICY);
    await apiListener(req, res);
  };
}
