import { getDb, type Prisma } from "@keysmith/db";
import { type AuditActorType, type AuditDetails, type AuditEventName } from "@keysmith/validators";

import { authEnv } from "../env.ts";
import { runPeriodically } from "../periodic.ts";
import { untilNone } from "../until-none.ts";

/** Where a request came from, as the audit log records it. */
export interface RequestClient {
  address: string;
  userAgent: string | null;
}

export interface AuditEntry {
  event: AuditEventName;
  at: Date;
  /** The account the event belongs to (whose log shows it); null for a login to a name that matches no one. */
  userId: number | null;
  actor: { type: AuditActorType; keyId?: number | null };
  /** The key the event is about, by id and its name at the time. */
  key?: { id: number; name: string } | null;
  client?: RequestClient | undefined;
  details?: AuditDetails;
}

/** Long enough for any real browser's; a client sending more gets it cut, not stored whole. */
const MAX_USER_AGENT = 256;

/** Printable text only: a user agent is the client's to write, and it is shown on a page. */
export function cleanUserAgent(value: string | null | undefined): string | null {
  if (!value) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const text = value.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return text ? text.slice(0, MAX_USER_AGENT) : null;
}

type AuditWriter = Pick<Prisma.TransactionClient, "auditEvent">;

const toRow = (entry: AuditEntry) => ({
  at: entry.at,
  userId: entry.userId,
  event: entry.event,
  actorType: entry.actor.type,
  actorKeyId: entry.actor.keyId ?? null,
  keyId: entry.key?.id ?? null,
  keyName: entry.key?.name ?? null,
  clientAddress: entry.client?.address ?? null,
  userAgent: cleanUserAgent(entry.client?.userAgent),
  details: entry.details ?? {},
});

/** An event's columns as parameters of hand-written SQL: recordAudit's row, `at` as ISO text (for `::timestamp`) and `details` as JSON text (for `::jsonb`). */
export interface AuditSqlValues {
  at: string;
  userId: number | null;
  event: AuditEventName;
  actorType: AuditActorType;
  actorKeyId: number | null;
  keyId: number | null;
  keyName: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  details: string;
}

/**
 * For a statement that writes the event itself, in the same statement as the
 * change it records (key creation: one round trip): exactly the row
 * recordAudit would write. Starts the retention sweep, as recordAudit does,
 * since the event is about to be written.
 */
export function auditSqlValues(entry: AuditEntry): AuditSqlValues {
  startAuditSweep();
  const row = toRow(entry);
  return { ...row, at: row.at.toISOString(), details: JSON.stringify(row.details) };
}

/**
 * Who and when of an event, as a statement's parameters in the order of the
 * audit_events columns at, user_id, event, actor_type, actor_key_id,
 * client_address and user_agent (the key's id and name, and the details, are
 * the statement's own to add).
 */
export function auditWhoAndWhen(values: AuditSqlValues): unknown[] {
  return [values.at, values.userId, values.event, values.actorType, values.actorKeyId, values.clientAddress, values.userAgent];
}

/**
 * Appends one event to the audit log, inside the caller's transaction when
 * it passes one (so a change and its event commit together). Starts the
 * retention sweep on first use.
 */
export async function recordAudit(entry: AuditEntry, db: AuditWriter = getDb()): Promise<void> {
  startAuditSweep();
  await db.auditEvent.create({ data: toRow(entry) });
}

/** Appends many events in one statement (a leak report revoking a thousand keys), like recordAudit. */
export async function recordAuditEvents(entries: readonly AuditEntry[], db: AuditWriter = getDb()): Promise<void> {
  if (entries.length === 0) return;
  startAuditSweep();
  await db.auditEvent.createMany({ data: entries.map(toRow) });
}

const DAY_MS = 86_400_000;
// 5,000 rows a statement (see untilNone); `at` holds UTC, as every timestamp column does
const SWEEP = `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1::timestamp LIMIT 5000)`;

/** Deletes events older than the retention (KEYSMITH_AUDIT_DAYS), in batches; returns how many. Safe on every instance at once. */
export function sweepAuditLog(now: Date): Promise<number> {
  return untilNone(SWEEP, [new Date(now.getTime() - authEnv.auditDays() * DAY_MS).toISOString()]);
}

function startAuditSweep(): void {
  runPeriodically("sweeping the audit log", 60 * 60 * 1000, () => sweepAuditLog(new Date()));
}
