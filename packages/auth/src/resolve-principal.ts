import { SessionKind } from "@keysmith/db";
import { KeysmithError, type Scope, type VerifyCode } from "@keysmith/validators";

import { API_KEY_PREFIX } from "./api-key-format.ts";
import { readSessionCookie } from "./cookies.ts";
import { type SessionUser, validateSessionToken } from "./sessions.ts";
import { verifyApiKey } from "./verify/verify-key.ts";

/** Who is calling, and with what. */
export type Principal =
  | { via: "cookie"; user: SessionUser; sessionId: string; renewedUntil?: Date }
  | { via: "token"; user: SessionUser; sessionId: string }
  | { via: "key"; user: SessionUser; apiKeyId: number; scopes: Scope[] };

export type Resolution = { principal: Principal } | { principal: null; error?: KeysmithError };

const HOW = "Send `Authorization: Bearer <token or ak_ key>`: a token from POST /api/v1/login, or an API key.";

function unauthorized(message: string): Resolution {
  return { principal: null, error: new KeysmithError("UNAUTHORIZED", message) };
}

/**
 * The one resolver every surface uses: an `Authorization: Bearer` value
 * (`ak_…` is an API key, anything else an access token) or, without that
 * header, the session cookie. Never throws for bad credentials: it returns the
 * error, and protected routes decide to raise it.
 */
export async function resolvePrincipal(headers: Headers, now: Date): Promise<Resolution> {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer(?:\s+(.*))?$/i.exec(authorization.trim());
    if (!match) return unauthorized(`The Authorization header must use the Bearer scheme. ${HOW}`);
    const value = match[1]?.trim() ?? "";
    if (!value) return unauthorized(`The Authorization header has no token or key after "Bearer". ${HOW}`);
    return value.startsWith(API_KEY_PREFIX) ? resolveApiKey(value, now) : resolveAccessToken(value, now);
  }

  const cookie = readSessionCookie(headers.get("cookie"));
  if (!cookie) return { principal: null };
  const check = await validateSessionToken(cookie, SessionKind.WEB, now);
  if (!check.ok) return unauthorized("Your session has ended; log in again.");
  const { session, user, renewed } = check.value;
  return { principal: { via: "cookie", user, sessionId: session.id, ...(renewed ? { renewedUntil: session.expiresAt } : {}) } };
}

async function resolveAccessToken(token: string, now: Date): Promise<Resolution> {
  const check = await validateSessionToken(token, SessionKind.ACCESS_TOKEN, now);
  if (check.ok) return { principal: { via: "token", user: check.value.user, sessionId: check.value.session.id } };
  switch (check.reason) {
    case "malformed":
      return unauthorized(`The bearer value is neither an access token nor an API key (keys start with "ak_"). ${HOW}`);
    case "expired":
      return unauthorized("The access token has expired (they last 2 hours); log in again for a new one.");
    case "inactive":
      return unauthorized("The account behind this token is deactivated.");
    case "unknown":
      return unauthorized("The access token is not valid: it was revoked by logging out, or never existed. Log in again.");
  }
}

// no scope is asked for here, and RATE_LIMITED is answered above
const KEY_REFUSALS: Record<Exclude<VerifyCode, "VALID" | "INSUFFICIENT_SCOPE" | "RATE_LIMITED">, string> = {
  MALFORMED: "The API key is malformed: check that it was copied whole.",
  NOT_FOUND: "The API key is not valid: it was deleted, or never existed.",
  REVOKED: "The API key has been revoked.",
  EXPIRED: "The API key has expired.",
};

async function resolveApiKey(key: string, now: Date): Promise<Resolution> {
  const { result, owner, retryAfterSeconds, rateLimitPerMinute } = await verifyApiKey(key, { now });
  if (result.valid && owner && result.id !== null && result.scopes) {
    return { principal: { via: "key", user: owner, apiKeyId: result.id, scopes: result.scopes } };
  }
  if (result.code === "RATE_LIMITED") {
    return {
      principal: null,
      error: new KeysmithError(
        "TOO_MANY_REQUESTS",
        `This API key is over its limit of ${rateLimitPerMinute ?? 0} requests a minute; try again in ${retryAfterSeconds ?? 60} seconds.`,
        { retryAfterSeconds: retryAfterSeconds ?? 60 },
      ),
    };
  }
  const code = result.code as keyof typeof KEY_REFUSALS;
  return unauthorized(KEY_REFUSALS[code]);
}
