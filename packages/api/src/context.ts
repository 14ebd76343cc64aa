import { getDb } from "@keysmith/db";
import { cookieSecurity, isCrossSiteRequest, type Principal, readSessionCookie, resolvePrincipal } from "@keysmith/auth";
import { type KeysmithError } from "@keysmith/validators";

export interface ContextInner {
  principal: Principal | null;
  /** Why the presented credentials were refused, when they were. */
  authError?: KeysmithError | undefined;
  /** A browser said this request comes from another site (see isCrossSiteRequest). */
  crossSite?: boolean;
  clientAddress?: string;
  /** The session cookie's token, to re-send it when the session slides. */
  sessionToken?: string | undefined;
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
    sessionToken: inner.sessionToken,
    cookieSecurity: { secure: inner.secureCookies ?? false },
    setCookie: inner.setCookie ?? (() => undefined),
    now: inner.now ?? (() => new Date()),
  };
}

export type Context = ReturnType<typeof createContextInner>;

/** The client's address as the front proxy reports it (per-client login throttle). */
export function clientAddressOf(headers: Headers): string {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || "unknown";
}

/** The context of an HTTP request: resolves who is calling once, up front. */
export async function createRequestContext(opts: { headers: Headers; url?: string; resHeaders?: Headers; clientAddress?: string }) {
  const now = new Date();
  const resolution = await resolvePrincipal(opts.headers, now);
  return createContextInner({
    principal: resolution.principal,
    authError: resolution.principal ? undefined : resolution.error,
    crossSite: isCrossSiteRequest(opts.headers),
    clientAddress: opts.clientAddress ?? clientAddressOf(opts.headers),
    sessionToken: readSessionCookie(opts.headers.get("cookie")),
    secureCookies: cookieSecurity(opts.url, opts.headers).secure,
    ...(opts.resHeaders ? { setCookie: (cookie: string) => opts.resHeaders?.append("set-cookie", cookie) } : {}),
  });
}
