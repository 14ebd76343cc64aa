import { LIMITS } from "@keysmith/validators";

/** "On a date I choose" without a usable date. */
export const EXPIRY_MISSING = "Enter a date and time, or choose another expiry.";

/** A refill chosen for a key with unlimited use (empty credits). */
export const REFILL_NEEDS_CREDITS = "A refill needs credits to put back: enter the credits, or choose No refill.";

/**
 * What the key forms say about a field, in the form's words rather than the
 * API's (which names fields like rate_limit_per_minute). `code` is the zod
 * issue's code from the shared schema, or "server" for a field the API
 * refused. Null: not a field of these forms.
 */
export function plainMessage(field: string, code: string): string | null {
  switch (field) {
    case "name":
      if (code === "too_big") return `Keep the name to ${LIMITS.apiKeyName.max} characters or fewer.`;
      if (code === "custom") return "The name cannot contain tabs, line breaks or other control characters.";
      return "Give the key a name you will recognise, like “production server”.";
    case "description":
      if (code === "too_big") return `Keep the description to ${LIMITS.apiKeyDescription.max} characters or fewer.`;
      return "The description cannot contain control characters other than tabs and line breaks.";
    case "expires_at":
      return code === "server" ? "Choose an expiry in the future." : EXPIRY_MISSING;
    case "scopes":
      return code === "server"
        ? "Scopes can only be narrowed: a key cannot gain a scope it does not have. Create a new key for wider access."
        : "Choose at least one scope.";
    case "rate_limit_per_minute":
      return `Rate limit must be a whole number from 1 to ${LIMITS.rateLimitPerMinute.max.toLocaleString("en")}.`;
    // the server's refusals here (an API key's own credits bound what it issues) say what is allowed: shown as sent
    case "remaining":
      return code === "server" ? null : `Credits must be a whole number from 0 to ${LIMITS.credits.max.toLocaleString("en")}, or empty for unlimited use.`;
    case "refill":
      if (code === "server") return null;
      if (code === "custom") return REFILL_NEEDS_CREDITS;
      return `Refill amount must be a whole number from 1 to ${LIMITS.credits.max.toLocaleString("en")}.`;
    default:
      return null;
  }
}
