import { z } from "zod";

/**
 * Every failure Keysmith reports, as a value: a code for programs, a
 * sentence for people, and, for bad input, which fields and why. Surfaces map
 * the code (REST to an HTTP status in one table, tRPC to its error codes).
 */
export const ZErrorCode = z.enum([
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "TOO_MANY_REQUESTS",
  "INTERNAL",
  "DATABASE_UNAVAILABLE",
]);
export type ErrorCode = z.infer<typeof ZErrorCode>;

export type FieldErrors = Record<string, string[]>;

export class KeysmithError extends Error {
  override readonly name = "KeysmithError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: {
      fields?: FieldErrors;
      retryAfterSeconds?: number;
      /** A key's own rate limit refused the request: its limit a minute (REST adds the RateLimit headers). */
      rateLimitPerMinute?: number;
      /** The request's body was left partly unread: the connection cannot carry another request (413). */
      closeConnection?: boolean;
    } = {},
  ) {
    super(message);
  }
}

/** What every surface answers when the database is down or stalled (503); the caller should retry. */
export function databaseUnavailableError(): KeysmithError {
  return new KeysmithError("DATABASE_UNAVAILABLE", "The database is unavailable right now; try again in a few seconds.", { retryAfterSeconds: 5 });
}

/** What every surface answers for a bug (500): nothing of it reaches the caller; it is logged. */
export function unexpectedError(): KeysmithError {
  return new KeysmithError("INTERNAL", "Something went wrong on our side; the error has been logged. Try again later.");
}

/** A zod failure as a KeysmithError naming each failing field and why. */
export function validationError(error: z.ZodError): KeysmithError {
  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (field === undefined) general.push(issue.message);
    else (fields[String(field)] ??= []).push(issue.message);
  }
  const first = general[0] ?? Object.values(fields)[0]?.[0] ?? "The request is not valid.";
  return new KeysmithError("BAD_REQUEST", first, { fields });
}

/** Parses input with a shared schema, failing with a KeysmithError. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
