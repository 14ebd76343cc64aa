import { authEnv } from "./env.ts";
import { WEB_SESSION_TTL_MS } from "./sessions.ts";

export const SESSION_COOKIE = "keysmith_session";

/** HttpOnly, SameSite=Lax, Secure in production; lives as long as the session. */
export function sessionCookie(token: string, expiresAt: Date): string {
  const maxAge = Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000));
  return serialize(token, Math.min(maxAge, WEB_SESSION_TTL_MS / 1000));
}

export function clearedSessionCookie(): string {
  return serialize("", 0);
}

function serialize(value: string, maxAgeSeconds: number): string {
  const parts = [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (authEnv.secureCookies()) parts.push("Secure");
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
