import { type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type AuditEvent, type AuditPage, KeysmithError, PAGE_SIZE, type ParsedAuditLogQuery, ZAuditActorType, ZAuditDetails, ZAuditEventName } from "@keysmith/validators";

import { requireScope } from "./scopes.ts";

const BAD_CURSOR = "cursor is not one this log gave out: pass the cursor of the page before (in REST's Link header, or tRPC's nextCursor), or leave cursor out for the newest events.";

/** The page's cursor is the last event's id: ids only grow, so a page never repeats or skips an event older than the first page. */
function afterId(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[1-9]\d{0,18}$/.test(cursor)) throw new KeysmithError("BAD_REQUEST", BAD_CURSOR, { fields: { cursor: [BAD_CURSOR] } });
  return BigInt(cursor);
}

/**
 * The events about one key: those naming it, and the import that brought it
 * in, whose one event for the whole call lists the keys' ids (as text) rather
 * than naming each (see importApiKeys).
 */
function aboutKey(keyId: number) {
  return { OR: [{ keyId }, { event: "key.imported", details: { path: ["ids"], array_contains: [String(keyId)] } }] };
}

/**
 * The caller's audit log, newest first: what happened to their keys and
 * their account, who did it and from where. Only their own events: an event
 * about a name that matches no account belongs to no one's log.
 */
export async function listAuditLog({ principal, query }: { principal: Principal; query: ParsedAuditLogQuery }): Promise<AuditPage> {
  requireScope(principal, "keys:read");
  const limit = query.limit ?? PAGE_SIZE.default;
  const before = afterId(query.cursor);
  const rows = await getDb().auditEvent.findMany({
    where: {
      userId: principal.user.id,
      ...(query.event ? { event: query.event } : {}),
      ...(query.key_id !== undefined ? aboutKey(query.key_id) : {}),
      ...(before !== undefined ? { id: { lt: before } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const items = page.map(
    (row): AuditEvent => ({
      id: row.id.toString(),
      at: row.at.toISOString(),
      event: ZAuditEventName.parse(row.event),
      actor: { type: ZAuditActorType.parse(row.actorType), key_id: row.actorKeyId },
      key_id: row.keyId,
      key_name: row.keyName,
      client_address: row.clientAddress,
      user_agent: row.userAgent,
      details: ZAuditDetails.parse(row.details),
    }),
  );
  return { items, nextCursor: rows.length > limit ? (page.at(-1)?.id.toString() ?? null) : null };
}
