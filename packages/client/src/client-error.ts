import { TRPCClientError } from "@trpc/client";
import { type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

import type { AppRouter } from "@keysmith/api";

/**
 * What went wrong, as a program reads it: Keysmith's tRPC error code
 * ("UNAUTHORIZED", "NOT_FOUND", "BAD_REQUEST", "SERVICE_UNAVAILABLE", …), or
 * "NETWORK_ERROR" when no answer came at all (refused, reset, timed out).
 */
export type KeysmithClientErrorCode = TRPC_ERROR_CODE_KEY | "NETWORK_ERROR";

/** Which input fields were refused and why, as the form or caller should show them. */
export type FieldErrors = Record<string, string[]>;

/**
 * An answer that was not tRPC's JSON (a proxy's HTML 502, a load balancer's
 * 503 page). tRPC would fail to parse it and lose its status, so the fetch
 * wrapper turns it into this error, which keeps the status and Retry-After.
 */
export class UnexpectedResponseError extends Error {
  override readonly name = "UnexpectedResponseError";

  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number | null,
    message = `Keysmith answered HTTP ${status} without a tRPC body; is the url the Keysmith server's origin?`,
  ) {
    super(message);
  }
}

// the status each code has on Keysmith's tRPC endpoint, for answers that carry only one of the two
const STATUS_CODES: Partial<Record<number, TRPC_ERROR_CODE_KEY>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  408: "TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

/**
 * The code of a failed call whose status names none. A 5xx is a server's
 * failure. An answer that was not Keysmith's tRPC JSON came from something
 * other than Keysmith's API, as a gateway's would: a web page's 200, a
 * redirect, an unusual 4xx from a proxy, or JSON of another shape (a call
 * that failed with a status under 400 can only have had such an answer, since
 * tRPC's own errors carry their code). Anything else is the call's own fault.
 */
function unnamedStatusCode(status: number, notTrpcBody: boolean): TRPC_ERROR_CODE_KEY {
  if (status >= 500) return "INTERNAL_SERVER_ERROR";
  return notTrpcBody || status < 400 ? "BAD_GATEWAY" : "BAD_REQUEST";
}

/** The longest wait a Retry-After is read as: one bad header must not tell a service to wait for years. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Retry-After in seconds (RFC 9110 §10.2.3: whole seconds, or an HTTP date,
 * turned into seconds from now), at most a day; null when it is neither
 * ("-5", "1.5", "soon"). Every HTTP date names its month, so text without a
 * letter is not handed to `Date.parse`, which reads "1.5" as a date.
 */
export function retryAfterSeconds(headers: Headers): number | null {
  const value = headers.get("retry-after")?.trim();
  if (value === undefined) return null;
  if (/^\d+$/.test(value)) return Math.min(Number(value), MAX_RETRY_AFTER_SECONDS);
  const at = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? null : Math.min(Math.max(0, Math.ceil((at - Date.now()) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

function isFieldErrors(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keysmith's `data.fieldErrors` without the fields that had none (zod's flatten leaves them undefined). */
function fieldErrorsOf(value: unknown): FieldErrors | null {
  if (!isFieldErrors(value)) return null;
  const fields: FieldErrors = {};
  for (const [field, messages] of Object.entries(value)) {
    if (Array.isArray(messages)) fields[field] = messages.filter((message): message is string => typeof message === "string");
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

/**
 * Every failed call of a Keysmith client rejects with this. It is a
 * TRPCClientError too (so `isTRPCClientError` and tRPC's React helpers keep
 * working, and `data` keeps its typed shape), with the parts a caller needs
 * lifted out: `code`, `status` (null when no HTTP answer came), `fieldErrors`
 * for bad input, and `retryAfterSeconds` from a 429 or 503.
 */
export class KeysmithClientError extends TRPCClientError<AppRouter> {
  readonly code: KeysmithClientErrorCode;
  readonly status: number | null;
  readonly fieldErrors: FieldErrors | null;
  readonly retryAfterSeconds: number | null;

  private constructor(from: TRPCClientError<AppRouter>) {
    const response = from.meta?.response instanceof Response ? from.meta.response : null;
    const unexpected = from.cause instanceof UnexpectedResponseError ? from.cause : null;
    const status = from.data?.httpStatus ?? response?.status ?? unexpected?.status ?? null;
    const code = from.data?.code ?? (status === null ? "NETWORK_ERROR" : (STATUS_CODES[status] ?? unnamedStatusCode(status, unexpected !== null)));
    const message = code === "NETWORK_ERROR" ? `Keysmith could not be reached: ${from.message}` : from.message;
    super(message, { result: from.shape ? { error: from.shape } : null, ...(from.cause ? { cause: from.cause } : {}), ...(from.meta ? { meta: from.meta } : {}) });
    this.name = "KeysmithClientError";
    // TRPCClientError resets the prototype to its own in its constructor
    Object.setPrototypeOf(this, KeysmithClientError.prototype);
    this.code = code;
    this.status = status;
    this.fieldErrors = fieldErrorsOf(from.data?.fieldErrors);
    this.retryAfterSeconds = (response ? retryAfterSeconds(response.headers) : null) ?? unexpected?.retryAfterSeconds ?? null;
  }

  /** Any failure of a call (a TRPCClientError, a fetch error) as a KeysmithClientError. */
  static fromError(error: unknown): KeysmithClientError {
    if (error instanceof KeysmithClientError) return error;
    return new KeysmithClientError(error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>) : TRPCClientError.from<AppRouter>(error instanceof Error ? error : new Error(String(error))));
  }
}

export function isKeysmithClientError(error: unknown): error is KeysmithClientError {
  return error instanceof KeysmithClientError;
}
