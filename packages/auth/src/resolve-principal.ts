import { SessionKind } from "@keysmith/db";
import { KeysmithError, type Scope, type VerifyCode } from "@keysmith/validators";

import { API_KEY_PREFIX } from "./api-key-format.ts";
import { readSessionCookie } from "./cookies.ts";
import { type SessionCheck, type SessionUser, validateSessionToken } from "./sessions.ts";
import { type RequestClient } from "./audit/record-audit.ts";
import { bearerFailures } from "./throttle.ts";
import { isCachedKnownKey, type KeyBounds, type Verification, verifyApiKey } from "./verify/verify-key.ts";
import { type HeaderReader } from "./header-reader.ts";

/** Who is calling, with what, and (for the audit log) from where. */
export type Principal = (
  | { via: "cookie"; user: SessionUser; sessionId: string; renewedUntil?: Date }
  | { via: "token"; user: SessionUser; sessionId: string }
  | { via: "key"; user: SessionUser; apiKeyId: number; scopes: Scope[]; bounds: KeyBounds }
) & { client?: RequestClient };

export type Resolution = { principal: Principal } | { principal: null; error?: KeysmithError };

export interface ResolveOptions {
  now: Date;
  /** The caller's address (see clientAddress): failed Bearer attempts are counted per address. */
  clientAddress: string;
  /** Slide a web session that is due; only where the response can carry the new cookie (see validateSessionToken). */
  renewSessions: boolean;
  /**
   * The scope the call needs, when known before the caller is resolved: an API
   * key without it is refused (FORBIDDEN) before its rate limit or credits are
   * touched, as verify refuses INSUFFICIENT_SCOPE. A key refused for its scope
   * after being admitted would have paid for a call it could not make.
   */
  scope?: Scope;
}

/** The refusal of a key that lacks `scope`, wherever the scope is checked. */
export function missingScope(scope: Scope): KeysmithError {
  return new KeysmithError("FORBIDDEN", `This API key lacks the "${scope}" scope; use a key that has it, or your access token.`);
}

const HOW = "Send `Authorization: Bearer <token or ak_ key>`: a token from POST /api/v1/login, or an API key.";

function unauthorized(message: string): Resolution {
  return { principal: null, error: new KeysmithError("UNAUTHORIZED", message) };
}

/**
 * The one resolver every surface uses: an `Authorization: Bearer` value
 * (`ak_…` is an API key, anything else an access token) or, without that
 * header, the session cookie. Never throws for bad credentials: it returns the
 * error, and protected routes decide to raise it.
 *
 * Keys imported in another format (or by hash only: `foreign`) are for the
 * verify route and procedure only, never credentials for this API: such a
 * key's plaintext is not `ak_…`, so it is tried as an access token and refused
 * like any unknown token, and a hash-imported key that is in `ak_` format is
 * refused like a key that does not exist (verifyApiKey's `nativeOnly`).
 */
export function resolvePrincipal(headers: HeaderReader, options: ResolveOptions): Resolution | Promise<Resolution> {
  const resolution = resolve(headers, options);
  if (resolution instanceof Promise) return resolution.then((done) => withClient(done, headers, options));
  return withClient(resolution, headers, options);
}

/** Each principal is made fresh by resolve(): completed in place rather than copied. */
function withClient(resolution: Resolution, headers: HeaderReader, options: ResolveOptions): Resolution {
  if (resolution.principal) resolution.principal.client = { address: options.clientAddress, userAgent: headers.get("user-agent") };
  return resolution;
}

// Each step answers a value when it has everything (a warm key, token or session), a promise when it must
// wait for the database: a cached caller is resolved without a turn of the event loop.
function resolve(headers: HeaderReader, options: ResolveOptions): Resolution | Promise<Resolution> {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer(?:\s+(.*))?$/i.exec(authorization.trim());
    if (!match) return unauthorized(`The Authorization header must use the Bearer scheme. ${HOW}`);
    const value = match[1]?.trim() ?? "";
    if (!value) return unauthorized(`The Authorization header has no token or key after "Bearer". ${HOW}`);
    return resolveBearer(value, options);
  }

  const cookie = readSessionCookie(headers.get("cookie"));
  if (!cookie) return { principal: null };
  const check = validateSessionToken(cookie, SessionKind.WEB, options.now, { renew: options.renewSessions });
  return check instanceof Promise ? check.then(cookiePrincipal) : cookiePrincipal(check);
}

function cookiePrincipal(check: SessionCheck): Resolution {
  if (!check.ok) return unauthorized("Your session has ended; log in again.");
  const { session, user, renewed } = check.value;
  return { principal: { via: "cookie", user, sessionId: session.id, ...(renewed ? { renewedUntil: session.expiresAt } : {}) } };
}

/**
 * A Bearer value that names nothing costs a database lookup and tells the
 * caller only "no": an address sending many is guessing or flooding, and its
 * Bearer values are refused until its window passes, all but keys this
 * instance already has in its cache, which cost no lookup: others behind the
 * same address (a NAT, a proxy) keep working with the keys they use.
 */
function resolveBearer(value: string, { now, clientAddress, scope }: ResolveOptions): Resolution | Promise<Resolution> {
  const at = now.getTime();
  const wait = bearerFailures.retryAfterSeconds(clientAddress, at);
  if (wait > 0 && !(value.startsWith(API_KEY_PREFIX) && isCachedKnownKey(value, at))) {
    return {
      principal: null,
      error: new KeysmithError(
        "TOO_MANY_REQUESTS",
        `Too many requests with unknown tokens or keys from your address; try again in ${wait} seconds.`,
        { retryAfterSeconds: wait },
      ),
    };
  }
  const resolved = value.startsWith(API_KEY_PREFIX) ? resolveApiKey(value, now, scope) : resolveAccessToken(value, now);
  if (resolved instanceof Promise) return resolved.then((done) => countedFailure(done, clientAddress, at));
  return countedFailure(resolved, clientAddress, at);
}

type Resolved = { resolution: Resolution; unknown: boolean };

function countedFailure({ resolution, unknown }: Resolved, clientAddress: string, at: number): Resolution {
  if (unknown) bearerFailures.recordFailure(clientAddress, at);
  return resolution;
}

function resolveAccessToken(token: string, now: Date): Resolved | Promise<Resolved> {
  const check = validateSessionToken(token, SessionKind.ACCESS_TOKEN, now, { renew: false });
  return check instanceof Promise ? check.then(tokenResolution) : tokenResolution(check);
}

function tokenResolution(check: SessionCheck): Resolved {
  if (check.ok) return { resolution: { principal: { via: "token", user: check.value.user, sessionId: check.value.session.id } }, unknown: false };
  switch (check.reason) {
    case "malformed":
      return { resolution: unauthorized(`The bearer value is neither an access token nor an API key (keys start with "ak_"). ${HOW}`), unknown: true };
    case "expired":
      return { resolution: unauthorized("The access token has expired (they last 2 hours); log in again for a new one."), unknown: false };
    case "inactive":
      return { resolution: unauthorized("The account behind this token is deactivated."), unknown: false };
    case "unknown":
      return { resolution: unauthorized("The access token is not valid: it was revoked by logging out, or never existed. Log in again."), unknown: true };
  }
}

// INSUFFICIENT_SCOPE, RATE_LIMITED and USAGE_EXCEEDED are answered below
const KEY_REFUSALS: Record<Exclude<VerifyCode, "VALID" | "INSUFFICIENT_SCOPE" | "RATE_LIMITED" | "USAGE_EXCEEDED">, string> = {
  MALFORMED: "The API key is malformed: check that it was copied whole.",
  NOT_FOUND: "The API key is not valid: it was deleted, or never existed.",
  REVOKED: "The API key has been revoked.",
  EXPIRED: "The API key has expired.",
};

function resolveApiKey(key: string, now: Date, scope: Scope | undefined): Resolved | Promise<Resolved> {
  const verification = verifyApiKey(key, scope ? { now, nativeOnly: true, requiredScopes: [scope] } : { now, nativeOnly: true });
  if (verification instanceof Promise) return verification.then((done) => keyResolution(done, scope));
  return keyResolution(verification, scope);
}

function keyResolution(verification: Verification, scope: Scope | undefined): Resolved {
  const { result, owner, bounds, rateLimitPerMinute } = verification;
  if (result.code === "INSUFFICIENT_SCOPE" && scope) return { resolution: { principal: null, error: missingScope(scope) }, unknown: false };
  if (result.valid && owner && bounds && result.id !== null && result.scopes) {
    return { resolution: { principal: { via: "key", user: owner, apiKeyId: result.id, scopes: result.scopes, bounds } }, unknown: false };
  }
  if (result.code === "RATE_LIMITED") {
    const wait = result.retry_after_seconds ?? 60;
    const error = new KeysmithError("TOO_MANY_REQUESTS", `This API key is over its limit of ${rateLimitPerMinute ?? 0} requests a minute; try again in ${wait} seconds.`, {
      retryAfterSeconds: wait,
      ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
    });
    return { resolution: { principal: null, error }, unknown: false };
  }
  if (result.code === "USAGE_EXCEEDED") {
    const refill = verification.refill;
    const when = refill ? ` It gets ${refill.amount} back at the start of the next UTC ${refill.interval}.` : "";
    const error = new KeysmithError("FORBIDDEN", `This API key has used all its credits.${when} Its owner can give it more.`);
    return { resolution: { principal: null, error }, unknown: false };
  }
  const code = result.code as keyof typeof KEY_REFUSALS;
  return { resolution: unauthorized(KEY_REFUSALS[code]), unknown: code === "NOT_FOUND" || code === "MALFORMED" };
}
