import { authEnv } from "./env.ts";
import { WEB_SESSION_TTL_MS } from "./sessions.ts";
import { type HeaderReader } from "./header-reader.ts";

export const SESSION_COOKIE = "keysmith_session";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * `Secure` when the browser reached us over HTTPS, and in production on any
 * host but loopback. A production build tried on http://localhost must still
 * be able to log in: not every browser keeps Secure cookies from plain-http
 * localhost. `requestUrl` is the URL as the client addressed it: behind a
 * proxy in KEYSMITH_TRUSTED_PROXIES, the server has already rebuilt it from
 * X-Forwarded-Proto and X-Forwarded-Host; from anyone else those headers are
 * not believed.
 */
export function cookieSecurity(requestUrl: string, headers: HeaderReader): { secure: boolean } {
  const override = authEnv.secureCookiesOverride();
  if (override !== undefined) return { secure: override };
  let url: URL | undefined;
  try {
    url = new URL(requestUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol === "https:") return { secure: true };
  const host = (url?.host ?? headers.get("host") ?? "").replace(/:\d+$/, "");
  return { secure: authEnv.production() && !LOOPBACK.has(host) };
}

/** HttpOnly, SameSite=Lax, Secure as decided above; lives as long as the session. */
export function sessionCookie(token: string, expiresAt: Date, security: { secure: boolean }): string {
  const maxAge = Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000));
  return serialize(token, Math.min(maxAge, WEB_SESSION_TTL_MS / 1000), security);
}

export function clearedSessionCookie(security: { secure: boolean }): string {
  return serialize("", 0, security);
}

function serialize(value: string, maxAgeSeconds: number, { secure }: { secure: boolean }): string {
  const parts = [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/** The session token from a Cookie header, if any. */
export function readSessionCookie(cookieHeader: string | null | undefined): string | undefined {
  for (const part of cookieHeader?.split(";") ?? []) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return rest.join("=") || undefined;
  }
  return undefined;
}

/**
 * The Set-Cookie a response must carry when resolving its caller slid the
 * web session (see validateSessionToken), or undefined. Every surface that
 * renews sends it on whatever it answers, a failure included: the database
 * has moved the expiry, and a browser left with the old cookie would drop
 * the session on the old date.
 */
export function renewedSessionCookie(principal: { via: string; renewedUntil?: Date } | null, cookieHeader: string | null, requestUrl: string, headers: HeaderReader): string | undefined {
  const token = readSessionCookie(cookieHeader);
  if (principal?.via !== "cookie" || !principal.renewedUntil || !token) return undefined;
  return sessionCookie(token, principal.renewedUntil, cookieSecurity(requestUrl, headers));
}
