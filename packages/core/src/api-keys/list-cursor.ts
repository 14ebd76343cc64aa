import { type ApiKey, type Prisma } from "@keysmith/db";
import { KeysmithError, type KeySort, type ListCursorPosition, ZListCursorPosition } from "@keysmith/validators";

/**
 * Keyset pagination: a page ends at a row, and the next page starts after
 * that row's (sort value, id) in the list's order, so a key already listed is
 * not listed again and none is skipped when others are created or deleted
 * between pages (a key created meanwhile sorts before the cursor under
 * "newest" and is not in the walk; under "last_used" a key used meanwhile
 * moves up and may be missed). The cursor is that pair, and the sort it
 * belongs to, in base64url JSON: opaque to callers, checked on return.
 */

const BAD_CURSOR = "cursor is not one this list gave out: pass the cursor of the page before (in REST's Link header, or tRPC's nextCursor), with the same sort, or leave cursor out for the first page.";

function badCursor(): never {
  throw new KeysmithError("BAD_REQUEST", BAD_CURSOR, { fields: { cursor: [BAD_CURSOR] } });
}

export function orderOf(sort: KeySort): Prisma.ApiKeyOrderByWithRelationInput[] {
  if (sort === "oldest") return [{ createdAt: "asc" }, { id: "asc" }];
  if (sort === "last_used") return [{ lastUsedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }];
  return [{ createdAt: "desc" }, { id: "desc" }];
}

export function cursorAfter(sort: KeySort, row: ApiKey): string {
  const at = sort === "last_used" ? row.lastUsedAt : row.createdAt;
  const position: ListCursorPosition = { sort, at: at?.toISOString() ?? null, id: row.id };
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

function decode(cursor: string, sort: KeySort): { at: Date | null; id: number } {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return badCursor();
  }
  const parsed = ZListCursorPosition.safeParse(position);
  if (!parsed.success || parsed.data.sort !== sort || (parsed.data.at === null && sort !== "last_used")) return badCursor();
  return { at: parsed.data.at === null ? null : new Date(parsed.data.at), id: parsed.data.id };
}

/** The rows after `cursor` in `sort`'s order. */
export function afterCursor(cursor: string, sort: KeySort): Prisma.ApiKeyWhereInput {
  const { at, id } = decode(cursor, sort);
  if (sort !== "last_used") {
    // decode refuses a creation-sorted cursor without a time; this says so to the compiler
    if (at === null) return badCursor();
    if (sort === "oldest") return { OR: [{ createdAt: { gt: at } }, { createdAt: at, id: { gt: id } }] };
    return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] };
  }
  // last used, newest first, never-used keys last (by id, newest first)
  if (at === null) return { lastUsedAt: null, id: { lt: id } };
  return { OR: [{ lastUsedAt: { lt: at } }, { lastUsedAt: at, id: { lt: id } }, { lastUsedAt: null }] };
}
