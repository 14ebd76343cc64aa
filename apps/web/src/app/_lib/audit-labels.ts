import { type AuditActorType, type AuditEventName } from "@keysmith/validators";

/** Each kind of event as the Activity page's filter names it. */
export const EVENT_LABELS: Record<AuditEventName, string> = {
  "key.created": "Key created",
  "key.updated": "Key changed",
  "key.revoked": "Key revoked",
  "key.rolled": "Key rolled",
  "key.deleted": "Key deleted",
  "key.leaked": "Key leaked (revoked)",
  "key.first_used": "Key used for the first time",
  "key.imported": "Keys imported",
  "account.signed_up": "Account created",
  "login.succeeded": "Logged in",
  "login.failed": "Failed login",
  "login.throttled": "Login throttled",
  "session.logged_out": "Logged out",
  "token.issued": "Access token issued",
};

/**
 * Who acted, in words: "API key #12" names the key. Null for nobody signed
 * in (a sign-up, a login attempt), which the page shows as a dash.
 */
export function actorLabel(actor: { type: AuditActorType; key_id: number | null }): string | null {
  switch (actor.type) {
    case "web_session":
      return "Dashboard session";
    case "access_token":
      return "Access token";
    case "api_key":
      return actor.key_id === null ? "API key" : `API key #${actor.key_id}`;
    case "github":
      return "GitHub secret scanning";
    case "system":
      return "Keysmith";
    case "anonymous":
      return null;
  }
}
