import { type VerifyCode } from "@keysmith/validators";

/**
 * Every verification outcome in the order a chart stacks them, bottom first:
 * what worked at the base, then the refusals a key's owner can act on.
 */
export const OUTCOME_ORDER: readonly VerifyCode[] = ["VALID", "RATE_LIMITED", "USAGE_EXCEEDED", "INSUFFICIENT_SCOPE", "EXPIRED", "REVOKED", "NOT_FOUND", "MALFORMED"];

/** Each outcome as a legend names it. */
export const OUTCOME_LABELS: Record<VerifyCode, string> = {
  VALID: "Valid",
  RATE_LIMITED: "Rate limited",
  USAGE_EXCEEDED: "Out of credits",
  INSUFFICIENT_SCOPE: "Missing scope",
  EXPIRED: "Expired key",
  REVOKED: "Revoked key",
  NOT_FOUND: "Unknown key",
  MALFORMED: "Malformed key",
};

/** The custom property (globals.css) holding the outcome's colour in the current scheme: canvas drawing reads it, CSS uses it. */
export function outcomeColorProperty(outcome: VerifyCode): string {
  return `--outcome-${outcome.toLowerCase().replaceAll("_", "-")}`;
}
