import { fromDateTimeLocal } from "~/app/_lib/format-time.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export const EXPIRY_CHOICES = [
  { value: "unchanged", label: "Keep the current expiry" },
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "custom", label: "On a date I choose" },
] as const;

export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];

export const EXPIRY_FIELD = { choice: "expiry", custom: "expiry_custom" } as const;

/**
 * The expires_at to send for the form's expiry choice: ISO, null for never,
 * undefined to leave it as it is; false when "on a date" has no date.
 */
export function expiresAtFrom(form: FormData, now: number): string | null | undefined | false {
  const choice = form.get(EXPIRY_FIELD.choice);
  if (choice === "unchanged" || choice === null) return undefined;
  if (choice === "never") return null;
  if (choice === "custom") {
    const custom = form.get(EXPIRY_FIELD.custom);
    return (typeof custom === "string" ? fromDateTimeLocal(custom) : null) ?? false;
  }
  return typeof choice === "string" ? (presetExpiresAt(choice, now) ?? undefined) : undefined;
}

/** When a preset ("7", "30", "90" days) picked at `now` ends, as ISO; null for any other choice. */
export function presetExpiresAt(choice: string, now: number): string | null {
  return /^\d+$/.test(choice) ? new Date(now + Number(choice) * DAY_MS).toISOString() : null;
}
