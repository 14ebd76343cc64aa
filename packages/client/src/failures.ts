import type { VerifyCode } from "@keysmith/validators";

import { bearerChallenge } from "./bearer.ts";
import { type KeysmithClientError, MAX_RETRY_AFTER_SECONDS } from "./client-error.ts";

/** A refused request as the middleware answers it: the status, a sentence for the caller, and the headers. */
export interface VerificationFailure {
  status: 401 | 403 | 429 | 500 | 503;
  message: string;
  headers: Record<string, string>;
}

/** A RATE_LIMITED answer without `retry_after_seconds` (a Keysmith from before it was added): wait a minute. */
export const RATE_LIMITED_RETRY_AFTER_SECONDS = 60;

/** When Keysmith is unreachable and did not say when to come back: Keysmith's own Retry-After for a database outage. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Every sentence is fixed text: none repeats what the caller sent, so the
 * presented key never appears in an answer. None holds `"` or `\`, which
 * RFC 6750's error_description cannot carry.
 */
const MESSAGES = {
  MISSING: "This route needs an API key: send it as Authorization: Bearer <key>.",
  MALFORMED: "The API key is malformed: check that it was copied whole.",
  NOT_FOUND: "The API key does not exist: it may have been deleted.",
  EXPIRED: "The API key has expired: use a current key.",
  REVOKED: "The API key has been revoked: use a current key.",
  USAGE_EXCEEDED: "The API key's credits are used up: wait for its refill or add credits.",
  UNAVAILABLE: "API keys cannot be verified right now; try again in a few seconds.",
  MISCONFIGURED: "API keys cannot be verified: this service's connection to Keysmith is misconfigured. Try again later.",
  UNKNOWN: "The API key was refused: this version of @keysmith/client does not know why.",
} as const;

/** A wait as Retry-After says it: whole seconds, at least one ("try again in 0 seconds" invites a retry storm), at most a day. */
function wholeSecondsToWait(seconds: number): number {
  if (Number.isNaN(seconds)) return RATE_LIMITED_RETRY_AFTER_SECONDS;
  return Math.min(Math.max(1, Math.ceil(seconds)), MAX_RETRY_AFTER_SECONDS);
}

const insufficientScope = (scopes: readonly string[]) => `The API key lacks a scope this route needs: ${scopes.join(", ")}.`;
const rateLimited = (seconds: number) => `The API key's rate limit is reached: try again in ${seconds} seconds.`;

/**
 * Why a key (or the lack of one) is refused, per RFC 6750 §3.1 and Keysmith's
 * REST statuses; a RATE_LIMITED key is told Keysmith's `retryAfterSeconds`.
 */
export function refusal(code: Exclude<VerifyCode, "VALID"> | "MISSING", realm: string, scopes: readonly string[], retryAfterSeconds?: number | null): VerificationFailure {
  switch (code) {
    case "MISSING":
      // no credential at all: the challenge only, no error attribute (RFC 6750 §3.1)
      return { status: 401, message: MESSAGES.MISSING, headers: { "www-authenticate": bearerChallenge(realm) } };
    case "MALFORMED":
    case "NOT_FOUND":
    case "EXPIRED":
    case "REVOKED":
      return { status: 401, message: MESSAGES[code], headers: { "www-authenticate": bearerChallenge(realm, { error: "invalid_token", description: MESSAGES[code] }) } };
    case "INSUFFICIENT_SCOPE": {
      const message = insufficientScope(scopes);
      return { status: 403, message, headers: { "www-authenticate": bearerChallenge(realm, { error: "insufficient_scope", description: message, scopes }) } };
    }
    case "USAGE_EXCEEDED":
      // Keysmith's own REST answers a key out of credits 403; the key is fine, so no Bearer challenge
      return { status: 403, message: MESSAGES.USAGE_EXCEEDED, headers: {} };
    case "RATE_LIMITED": {
      const seconds = wholeSecondsToWait(retryAfterSeconds ?? RATE_LIMITED_RETRY_AFTER_SECONDS);
      return { status: 429, message: rateLimited(seconds), headers: { "retry-after": String(seconds) } };
    }
    default:
      // a code added by a newer Keysmith: whatever it means, the key was not VALID, so the request is refused
      return { status: 401, message: MESSAGES.UNKNOWN, headers: { "www-authenticate": bearerChallenge(realm, { error: "invalid_token", description: MESSAGES.UNKNOWN }) } };
  }
}

/** Whether a failed verify call means Keysmith is away (it will come back) rather than set up wrong. */
export function isUnavailable(error: KeysmithClientError): boolean {
  return error.code === "NETWORK_ERROR" || error.code === "TOO_MANY_REQUESTS" || error.code === "TIMEOUT" || (error.status !== null && error.status >= 500);
}

/**
 * The verify call itself failed: fail closed. Keysmith away (unreachable,
 * timed out, 5xx, throttling this service) is 503 with Retry-After; anything
 * else (this service's own key refused or lacking keys:verify, bad `scopes`
 * or `cost` options) is this service's misconfiguration, 500.
 */
export function verifyCallFailure(error: KeysmithClientError): VerificationFailure {
  if (isUnavailable(error)) {
    const seconds = wholeSecondsToWait(error.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_SECONDS);
    return { status: 503, message: MESSAGES.UNAVAILABLE, headers: { "retry-after": String(seconds) } };
  }
  return { status: 500, message: MESSAGES.MISCONFIGURED, headers: {} };
}

/** The headers of every refusal: Keysmith's envelope is JSON, and an answer about credentials is never cached. */
export function failureHeaders(failure: VerificationFailure): Record<string, string> {
  return { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...failure.headers };
}

/** Keysmith's documented failed envelope, `{"data": null, "message": …, "status": "failed"}`. */
export function failureBody(failure: VerificationFailure): string {
  return JSON.stringify({ data: null, message: failure.message, status: "failed" });
}

/** A refusal as a fetch Response (Hono, Next.js route handlers, any fetch-style server). */
export function failureResponse(failure: VerificationFailure): Response {
  return new Response(failureBody(failure), { status: failure.status, headers: failureHeaders(failure) });
}
