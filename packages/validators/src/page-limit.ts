import { z } from "zod";

export const PAGE_SIZE = { default: 25, max: 100 } as const;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${PAGE_SIZE.max}.`;

/** A query string's value as a whole number when it is written as one (and left out when empty), else as it came, for the schema to refuse. */
export function wholeNumberText(value: unknown): unknown {
  if (value === "") return undefined;
  return typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
}

/** A page's optional `limit` (1 to PAGE_SIZE.max), also as query-string text; the next page is named in the Link header. */
export function pageLimit(things: string) {
  return z.preprocess(
    wholeNumberText,
    z
      .number({ error: LIMIT_MESSAGE })
      .int(LIMIT_MESSAGE)
      .min(1, LIMIT_MESSAGE)
      .max(PAGE_SIZE.max, LIMIT_MESSAGE)
      .optional()
      .describe(`At most this many ${things} (1 to ${PAGE_SIZE.max}); the next page's address is in the Link header (rel="next").`),
  );
}

/** An opaque `cursor`: the `nextCursor` of the page before. */
export function pageCursor() {
  return z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string({ error: "cursor must be the cursor of an earlier page (in REST's Link header, or tRPC's nextCursor)." })
      .max(200, "cursor must be the cursor of an earlier page (in REST's Link header, or tRPC's nextCursor).")
      .optional()
      .describe("Where the page starts: copied from the Link header of the page before (opaque)."),
  );
}
