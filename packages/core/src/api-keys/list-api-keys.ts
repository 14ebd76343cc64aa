import { type Principal } from "@keysmith/auth";
import { getDb, type Prisma } from "@keysmith/db";
import { type ApiKeyPage, type ParsedListApiKeysQuery } from "@keysmith/validators";

import { statusFilter } from "./key-status.ts";
import { afterCursor, cursorAfter, orderOf } from "./list-cursor.ts";
import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

/** Prisma hands contains/startsWith to LIKE as they are: "_" and "%" would be wildcards. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The caller's keys, newest first unless `sort` says otherwise, narrowed by
 * `search` (part of the name, or the start of the prefix; any case) and
 * `status` as they stand at `now`. With `limit`, one page and the cursor of
 * the next; without, every matching key (the documented REST list).
 */
export async function listApiKeys({ principal, query = {}, now }: { principal: Principal; query?: ParsedListApiKeysQuery; now: Date }): Promise<ApiKeyPage> {
  requireScope(principal, "keys:read");
  const sort = query.sort ?? "newest";
  const where: Prisma.ApiKeyWhereInput[] = [{ userId: principal.user.id }];
  if (query.search) {
    // the list shows prefixes as "ak_W4KL…": a pasted one is searched without its ellipsis
    const prefix = query.search.replace(/…$/, "");
    const name: Prisma.ApiKeyWhereInput = { name: { contains: likeLiteral(query.search), mode: "insensitive" } };
    // "…" alone is no prefix: it must not match every key
    where.push(prefix ? { OR: [name, { prefix: { startsWith: likeLiteral(prefix), mode: "insensitive" } }] } : name);
  }
  if (query.status) where.push(statusFilter(query.status, now));
  if (query.cursor) where.push(afterCursor(query.cursor, sort));

  const rows = await getDb().apiKey.findMany({
    where: { AND: where },
    orderBy: orderOf(sort),
    // one row more than the page says whether there is a next page
    ...(query.limit ? { take: query.limit + 1 } : {}),
  });
  const more = query.limit !== undefined && rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return { items: page.map((row) => toSummary(row, now)), nextCursor: more && last ? cursorAfter(sort, last) : null };
}
