import { type AuditEvent } from "@keysmith/validators";

// the update's field names as the edit form calls them
const FIELD_WORDS: Record<string, string> = {
  name: "name",
  description: "description",
  expires_at: "expiry",
  rate_limit_per_minute: "rate limit",
  remaining: "credits",
  refill: "refill",
  scopes: "scopes",
};

const FAILURE_WORDS: Record<string, string> = {
  wrong_credentials: "wrong credentials",
  deactivated: "account deactivated",
};

/** "name, expiry and rate limit". */
function list(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1) ?? ""}`;
}

/** "1 hour", "7 days", "90 minutes": a grace period in the largest whole unit. */
function duration(seconds: number): string {
  const units: [string, number][] = [["day", 86_400], ["hour", 3600], ["minute", 60], ["second", 1]];
  const [unit, size] = units.find(([, size]) => seconds % size === 0) ?? ["second", 1];
  const count = seconds / size;
  return `${count.toLocaleString("en")} ${unit}${count === 1 ? "" : "s"}`;
}

/**
 * What happened, as a sentence a person reads without knowing the event's
 * name: "Revoked key “production”", "Failed login (wrong credentials)".
 * The key is named as it was called then; a key without a name is "#12".
 */
export function auditSentence(event: Pick<AuditEvent, "event" | "key_id" | "key_name" | "details">): string {
  const key = event.key_name !== null ? `key “${event.key_name}”` : event.key_id !== null ? `key #${event.key_id}` : "a key";
  const { details } = event;
  switch (event.event) {
    case "key.created":
      return typeof details.replaces_id === "number" ? `Created ${key} to replace key #${details.replaces_id}` : `Created ${key}`;
    case "key.updated": {
      const changed = Array.isArray(details.changed) ? details.changed.map((field) => FIELD_WORDS[field] ?? field) : [];
      return changed.length ? `Changed the ${list(changed)} of ${key}` : `Changed ${key}`;
    }
    case "key.revoked":
      return details.ended_grace === true ? `Revoked ${key}, ending its grace period` : `Revoked ${key}`;
    case "key.rolled": {
      const by = typeof details.new_key_id === "number" ? `, replaced by key #${details.new_key_id}` : "";
      const grace = typeof details.grace_seconds === "number" && details.grace_seconds > 0 ? ` with ${duration(details.grace_seconds)} of grace` : "";
      return `Rolled ${key}${by}${grace}`;
    }
    case "key.deleted":
      return `Deleted ${key}`;
    case "key.leaked": {
      const where = typeof details.url === "string" ? ` at ${details.url}` : "";
      return details.source === "github" ? `Revoked ${key}: GitHub found it in public${where}` : `Revoked ${key}: someone reported it leaked${where}`;
    }
    case "key.first_used":
      return `${key.charAt(0).toUpperCase()}${key.slice(1)} used for the first time`;
    case "key.imported": {
      const count = typeof details.count === "number" ? details.count : 0;
      return `Imported ${count.toLocaleString("en")} key${count === 1 ? "" : "s"}`;
    }
    case "account.signed_up":
      return "Created the account";
    case "login.succeeded":
      return "Logged in";
    case "login.failed": {
      const reason = typeof details.reason === "string" ? FAILURE_WORDS[details.reason] : undefined;
      return reason ? `Failed login (${reason})` : "Failed login";
    }
    case "login.throttled":
      return "Login attempts paused after too many failures";
    case "session.logged_out":
      return "Logged out";
    case "token.issued":
      return "Issued an access token";
  }
}
