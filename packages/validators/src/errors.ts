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
  // something other than the database cannot be used right now (a file the operator must fix): 503 as well
  "UNAVAILABLE",
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

/**
 * How validationError names failing fields. A field is named by the first
 * segment of its path (`refill.amount` and `scopes[1]` are `refill` and
 * `scopes`), unless it is one of `itemLists`: a list whose items are judged
 * one by one (an import's keys), where an item's field is named
 * `keys[3].name` (its own first segment, as above) and the item itself
 * `keys[3]`.
 */
export interface FieldNaming {
  itemLists?: readonly string[];
}

/** An item of one of `naming.itemLists`, by its index and (when an item's field failed) that field: `keys[3].name`, `keys[3]`. */
function itemName(path: readonly PropertyKey[], naming: FieldNaming): string | undefined {
  const [field, index, inner] = path;
  if (typeof field !== "string" || typeof index !== "number" || !naming.itemLists?.includes(field)) return undefined;
  return inner === undefined ? `${field}[${index}]` : `${field}[${index}].${String(inner)}`;
}

/**
 * A zod failure as a KeysmithError naming each failing field and why. When
 * an item of a list is named, the message names it too ("keys[3].name: …"),
 * since the reason alone does not say which of many items it is.
 */
export function validationError(error: z.ZodError, naming: FieldNaming = {}): KeysmithError {
  const fields: FieldErrors = {};
  const general: string[] = [];
  let firstItem: string | undefined;
  for (const issue of error.issues) {
    const item = itemName(issue.path, naming);
    const field = item ?? (issue.path[0] === undefined ? undefined : String(issue.path[0]));
    if (field === undefined) general.push(issue.message);
    else (fields[field] ??= []).push(issue.message);
    if (item !== undefined && Object.keys(fields)[0] === item) firstItem ??= `${item}: ${issue.message}`;
  }
  const first = general[0] ?? firstItem ?? Object.values(fields)[0]?.[0] ?? "The request is not valid.";
  return new KeysmithError("BAD_REQUEST", first, { fields });
}

/** Parses input with a shared schema, failing with a KeysmithError (fields named as `naming` says). */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, naming: FieldNaming = {}): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, naming);
  return result.data;
}

/**
 * The Standard Schema interface (https://standardschema.dev; its authors
 * ask that it be copied rather than depended on), as far as a tRPC input
 * parser needs it.
 */
export interface StandardSchema<Input, Output> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => { readonly value: Output };
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/**
 * `schema` as a tRPC input parser that fails with parseInput's
 * KeysmithError (thrown, so tRPC keeps it as the error's cause): the
 * procedure's `fieldErrors` then name fields as REST's `errors` do, items of
 * `naming.itemLists` included. Typed clients see the schema's input type.
 */
export function inputParser<T extends z.ZodType>(schema: T, naming: FieldNaming): StandardSchema<z.input<T>, z.output<T>> {
  return {
    "~standard": {
      version: 1,
      vendor: "keysmith",
      validate: (value) => ({ value: parseInput(schema, value, naming) }),
    },
  };
}
