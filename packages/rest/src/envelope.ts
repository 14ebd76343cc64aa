import { type FailedEnvelope, type KeysmithError } from "@keysmith/validators";

import { type RestAnswer } from "./answer.ts";
import { HTTP_STATUS } from "./http-status.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";

/**
 * Every answer's headers, as a fresh object: a literal, which V8 makes from a
 * template, where a spread of a shared object copies it key by key. Responses
 * may carry a key or a token: never let a proxy or browser cache them.
 */
function baseHeaders(): Record<string, string> {
  return { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
}

export function success(data: unknown, message: string, status = 200, extraHeaders?: Record<string, string>): RestAnswer {
  return withBody(successBody(data, message), status, extraHeaders);
}

/** The body of `success(data, message)`, for a caller that keeps it to answer with again (`withBody`). */
export function successBody(data: unknown, message: string): string {
  return JSON.stringify({ data, message, status: "success" });
}

/** An answer with a body made before (`successBody`), and the headers every answer has. */
export function withBody(body: string, status = 200, extraHeaders?: Record<string, string>): RestAnswer {
  return { status, headers: extraHeaders ? Object.assign(baseHeaders(), extraHeaders) : baseHeaders(), body };
}

/** A JSON answer that is not the envelope (the OpenAPI document, GitHub's feedback). */
export function rawJson(body: string): RestAnswer {
  return { status: 200, headers: baseHeaders(), body };
}

export function failure(error: KeysmithError, extraHeaders: Record<string, string> = {}): RestAnswer {
  const body: FailedEnvelope = { data: null, message: error.message, status: "failed" };
  if (error.details.fields && Object.keys(error.details.fields).length > 0) body.errors = error.details.fields;
  const headers = Object.assign(baseHeaders(), extraHeaders);
  const { retryAfterSeconds, rateLimitPerMinute } = error.details;
  if (retryAfterSeconds) Object.assign(headers, rateLimitPerMinute ? rateLimitHeaders(rateLimitPerMinute, retryAfterSeconds) : { "retry-after": String(retryAfterSeconds) });
  if (error.code === "UNAUTHORIZED") headers["www-authenticate"] = 'Bearer realm="keysmith"';
  // the rest of an oversized body was never read: the connection cannot carry another request
  if (error.details.closeConnection) headers.connection = "close";
  return { status: HTTP_STATUS[error.code], headers, body: JSON.stringify(body) };
}
