import { z } from "zod";

import { ZApiKeyId, ZApiKeySummary } from "./api-keys.ts";
import { isStorableInstant } from "./instant.ts";
import { EXPIRING_SOON_DAYS, ZKeyStatus } from "./key-status.ts";
import { pageCursor, pageLimit } from "./page-limit.ts";
import { textField } from "./text.ts";

/** newest / oldest: by creation; last_used: most recently used first, never-used last. */
export const KEY_SORTS = ["newest", "oldest", "last_used"] as const;
export const ZKeySort = z.enum(KEY_SORTS, { error: `sort must be one of ${KEY_SORTS.join(", ")}.` });
export type KeySort = z.infer<typeof ZKeySort>;

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
  limit: pageLimit("keys"),
  cursor: pageCursor(),
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
export const ZListCursorPosition = z.object({
  sort: ZKeySort,
  // a cursor is given out with a stored time: one outside what can be stored was made by hand
  at: z.iso
    .datetime()
    .refine((at) => isStorableInstant(Date.parse(at)))
    .nullable(),
  id: ZApiKeyId,
});
export type ListCursorPosition = z.infer<typeof ZListCursorPosition>;
