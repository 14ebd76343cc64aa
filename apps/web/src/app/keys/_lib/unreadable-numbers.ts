import { type FieldErrors } from "~/components/use-field-errors.ts";

import { CREDITS_FIELD } from "./credits.ts";
import { plainMessage } from "./plain-messages.ts";

/** The API field a number input's errors belong to: the refill amount's go to `refill`. */
const API_FIELD: Partial<Record<string, string>> = { [CREDITS_FIELD.amount]: "refill" };

/**
 * Errors for the form's number inputs holding text the browser cannot read
 * as a number ("5-", "e"). Such an input's value is "", which the key forms
 * read as "no limit" or "unlimited use": without this, a typo would lift the
 * limit it meant to set.
 */
export function unreadableNumbers(form: HTMLFormElement): FieldErrors {
  const errors: FieldErrors = {};
  for (const input of form.querySelectorAll<HTMLInputElement>('input[type="number"]')) {
    if (input.disabled || !input.validity.badInput) continue;
    const field = API_FIELD[input.name] ?? input.name;
    errors[field] = [plainMessage(field, "bad_input") ?? "Enter a number."];
  }
  return errors;
}
