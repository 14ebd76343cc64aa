import { z } from "zod";

import { ZApiKeyId, ZApiKeySummary } from "./api-keys.ts";
import { EXPIRING_SOON_DAYS, ZKeyStatus } from "./key-status.ts";
import { textField } from "./text.ts";

/** newest / oldest: by creation; last_used: most recently used first, never-used last. */
export const KEY_SORTS = ["newest", "oldest", "last_used"] as const;
export const ZKeySort = z.enum(KEY_SORTS, { error: `sort must be one of ${KEY_SORTS.join(", ")}.` });
export type KeySort = z.infer<typeof ZKeySort>;

export const PAGE_SIZE = { default: 25, max: 100 } as const;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${PAGE_SIZE.max}.`;

/**
 * The list's optional narrowing, shared by apiKeys.list and the query string
 * of GET /api-keys (so every value may arrive as text). `cursor` is the
 * opaque `nextCursor` of the page before.
 */
export const ZListApiKeysQuery = z.object({
  /** Part of a key's name (any case) or the start of its prefix ("ak_W4KL"). */
  search: z.preprocess(
    (value) => (value === "" ? undefined : value),
    textField("search")
      .max(64, "search must be at most 64 characters.")
      .optional()
      .describe("Part of a key's name (any case), or the start of its prefix (\"ak_W4KL\")."),
  ),
  status: z.preprocess(
    (value) => (value === "" ? undefined : value),
    ZKeyStatus.optional().describe(
      `Only keys in this state now: active, expiring (within ${EXPIRING_SOON_DAYS} days), rolling (rolled, still in its grace), expired or revoked.`,
    ),
  ),
  sort: z.preprocess(
    (value) => (value === "" ? undefined : value),
    ZKeySort.optional().describe("newest (the default) or oldest by creation; last_used: most recently used first, never-used keys last."),
  ),
  limit: z.preprocess(
    (value) => (value === "" ? undefined : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: LIMIT_MESSAGE })
      .int(LIMIT_MESSAGE)
      .min(1, LIMIT_MESSAGE)
      .max(PAGE_SIZE.max, LIMIT_MESSAGE)
      .optional()
      .describe(`At most this many keys (1 to ${PAGE_SIZE.max}); the next page's address is in the Link header (rel="next").`),
  ),
  cursor: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string({ error: "cursor must be the nextCursor of an earlier page." })
      .max(200, "cursor must be the nextCursor of an earlier page.")
      .optional()
      .describe("Where the page starts: copied from the Link header of the page before (opaque)."),
  ),
});
export type ListApiKeysQuery = z.input<typeof ZListApiKeysQuery>;
export type ParsedListApiKeysQuery = z.output<typeof ZListApiKeysQuery>;

/** One page of the caller's keys; `nextCursor` is null on the last page. */
export const ZApiKeyPage = z.object({
  items: ZApiKeySummary.array(),
  nextCursor: z.string().nullable(),
});
export type ApiKeyPage = z.infer<typeof ZApiKeyPage>;

/** What a list cursor holds (base64url JSON): the last key's sort value and id, and the sort; checked when it comes back. */
export const ZListCursorPosition = z.object({ sort: ZKeySort, at: z.iso.datetime().nullable(), id: ZApiKeyId });
export type ListCursorPosition = z.infer<typeof ZListCursorPosition>;
