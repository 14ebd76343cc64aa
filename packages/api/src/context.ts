import { knownFailure } from "@keysmith/core";
import { getDb } from "@keysmith/db";
import { cookieSecurity, isCrossSiteRequest, type Principal, renewedSessionCookie, resolvePrincipal } from "@keysmith/auth";
import { type KeysmithError, type Scope } from "@keysmith/validators";

import { toTRPCError } from "./errors.ts";

export interface ContextInner {
  principal: Principal | null;
  /** Why the presented credentials were refused, when they were. */
  authError?: KeysmithError | undefined;
  /** A browser said this request comes from another site (see isCrossSiteRequest). */
  crossSite?: boolean;
  clientAddress?: string;
  /** The caller's User-Agent header, for the audit log. */
  userAgent?: string | null;
  /** Whether cookies set for this request get `Secure` (see cookieSecurity). */
  secureCookies?: boolean;
  /** Adds a Set-Cookie header to the response; absent for in-process callers. */
  setCookie?: (cookie: string) => void;
  now?: () => Date;
}

/**
 * The context without a request, so tests and in-process callers build it
 * directly (tRPC's next-prisma-starter pattern).
 */
export function createContextInner(inner: ContextInner = { principal: null }) {
  return {
    db: getDb(),
    principal: inner.principal,
    authError: inner.authError,
    crossSite: inner.crossSite ?? false,
    clientAddress: inner.clientAddress ?? "in-process",
    client: { address: inner.clientAddress ?? "in-process", userAgent: inner.userAgent ?? null },
    cookieSecurity: { secure: inner.secureCookies ?? false },
    setCookie: inner.setCookie ?? (() => undefined),
    now: inner.now ?? (() => new Date()),
  };
}

export type Context = ReturnType<typeof createContextInner>;

/**
 * The context of an HTTP request: resolves who is calling once, up front.
 * With `resHeaders` the response can carry cookies, so a web session due to
 * slide is extended and its cookie re-sent here, for every procedure; without
 * (a server render) it is left for a request that can.
 */
export async function createRequestContext(opts: { headers: Headers; url: string; clientAddress: string; resHeaders?: Headers; scope?: Scope }) {
  const now = new Date();
  const secureCookies = cookieSecurity(opts.url, opts.headers).secure;
  const resHeaders = opts.resHeaders;
  const setCookie = resHeaders ? (cookie: string) => resHeaders.append("set-cookie", cookie) : undefined;
  let resolution;
  try {
    resolution = await resolvePrincipal(opts.headers, {
      now,
      clientAddress: opts.clientAddress,
      renewSessions: setCookie !== undefined,
      ...(opts.scope ? { scope: opts.scope } : {}),
    });
  } catch (error) {
    // the context is built before any procedure runs: classify here too (503, not 500)
    const known = knownFailure(error);
    throw known ? toTRPCError(known) : error;
  }
  const { principal } = resolution;
  const renewal = renewedSessionCookie(principal, opts.headers.get("cookie"), opts.url, opts.headers);
  if (renewal && setCookie) setCookie(renewal);
  return createContextInner({
    principal,
    authError: principal ? undefined : resolution.error,
    crossSite: isCrossSiteRequest(opts.headers, opts.url),
    clientAddress: opts.clientAddress,
    userAgent: opts.headers.get("user-agent"),
    secureCookies,
    ...(setCookie ? { setCookie } : {}),
  });
}
