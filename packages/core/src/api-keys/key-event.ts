import { type AuditEntry, auditedBy, type Principal } from "@keysmith/auth";
import { type AuditDetails, type AuditEventName } from "@keysmith/validators";

/** The audit entry for something a caller did to one of their keys (written in the change's own transaction). */
export function keyEvent(
  principal: Principal,
  event: Extract<AuditEventName, `key.${string}`>,
  key: { id: number; name: string },
  at: Date,
  details: AuditDetails = {},
): AuditEntry {
  return { event, at, ...auditedBy(principal), key: { id: key.id, name: key.name }, details };
}
