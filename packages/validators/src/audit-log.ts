import { z } from "zod";

import { ZApiKeyId } from "./api-keys.ts";
import { pageCursor, pageLimit, wholeNumberText } from "./page-limit.ts";

/** Everything the audit log records: what happened to a key, and to an account. */
export const AUDIT_EVENTS = [
  "key.created",
  "key.updated",
  "key.revoked",
  "key.rolled",
  "key.deleted",
  "key.leaked",
  "key.first_used",
  "key.imported",
  "account.signed_up",
  "login.succeeded",
  "login.failed",
  "login.throttled",
  "session.logged_out",
  "token.issued",
] as const;
export const ZAuditEventName = z.enum(AUDIT_EVENTS, { error: `event must be one of ${AUDIT_EVENTS.join(", ")}.` });
export type AuditEventName = z.infer<typeof ZAuditEventName>;

/**
 * Who acted: a web session (the dashboard), an access token (POST /login's),
 * an API key (with its id), nobody signed in (sign-up, logins, a leak
 * report), GitHub's secret scanning (a leak it found), or Keysmith itself (a
 * key's first use, seen by the verification counts).
 */
export const AUDIT_ACTORS = ["web_session", "access_token", "api_key", "anonymous", "github", "system"] as const;
export const ZAuditActorType = z.enum(AUDIT_ACTORS);
export type AuditActorType = z.infer<typeof ZAuditActorType>;

/** What an event may say beyond who and what: names, scopes, times. Never a secret or a request body. */
export const ZAuditDetails = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]));
export type AuditDetails = z.infer<typeof ZAuditDetails>;

/** GET /audit-log and auditLog.list: newest first, optionally one event kind or one key's events. */
export const ZAuditLogQuery = z.object({
  event: z.preprocess((value) => (value === "" ? undefined : value), ZAuditEventName.optional().describe(`Only this kind of event: ${AUDIT_EVENTS.join(", ")}.`)),
  key_id: z.preprocess(
    wholeNumberText,
    ZApiKeyId.optional().describe("Only events about this key (it may since have been deleted)."),
  ),
  limit: pageLimit("events"),
  cursor: pageCursor(),
});
export type AuditLogQuery = z.input<typeof ZAuditLogQuery>;
export type ParsedAuditLogQuery = z.output<typeof ZAuditLogQuery>;

export const ZAuditEvent = z.object({
  id: z.string().describe("Increasing; a string, as it may outgrow a JavaScript number."),
  at: z.iso.datetime(),
  event: ZAuditEventName,
  actor: z.object({ type: ZAuditActorType, key_id: z.number().int().nullable().describe("With api_key: the key that acted.") }),
  key_id: z.number().int().nullable().describe("The key the event is about, if any."),
  key_name: z.string().nullable().describe("That key's name at the time."),
  client_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  details: ZAuditDetails,
});
export type AuditEvent = z.infer<typeof ZAuditEvent>;

export const ZAuditPage = z.object({ items: ZAuditEvent.array(), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof ZAuditPage>;
