import { type AuditEntry } from "./record-audit.ts";
import { type Principal } from "../resolve-principal.ts";

/** The audit log's actor for a caller: which kind of credential, and the key when it was one. */
export function actorOf(principal: Principal): AuditEntry["actor"] {
  if (principal.via === "key") return { type: "api_key", keyId: principal.apiKeyId };
  return { type: principal.via === "cookie" ? "web_session" : "access_token" };
}

/** Who acted and from where, for an event a caller caused. */
export function auditedBy(principal: Principal): Pick<AuditEntry, "userId" | "actor" | "client"> {
  return { userId: principal.user.id, actor: actorOf(principal), client: principal.client };
}
