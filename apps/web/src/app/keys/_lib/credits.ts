import { type Refill, REFILL_INTERVALS } from "@keysmith/validators";

/** The credits controls' names in the key forms (the API's are `remaining` and `refill`). */
export const CREDITS_FIELD = { remaining: "remaining", interval: "refill_interval", amount: "refill_amount" } as const;

/** The refill as the form sends it: the amount as typed (the shared schema reads digits), or null for none. */
export type RefillInput = { amount: string; interval: Refill["interval"] } | null;

/** The refill a submitted form asks for. */
export function refillFrom(form: FormData): RefillInput {
  const chosen = form.get(CREDITS_FIELD.interval);
  const interval = REFILL_INTERVALS.find((known) => known === chosen);
  if (!interval) return null;
  const amount = form.get(CREDITS_FIELD.amount);
  return { amount: typeof amount === "string" ? amount.trim() : "", interval };
}

/** Whether the form's refill is the key's `current` one. */
export function sameRefill(input: RefillInput, current: Refill | null): boolean {
  if (input === null || current === null) return input === current;
  return input.interval === current.interval && input.amount === String(current.amount);
}

const count = (value: number) => value.toLocaleString("en");

/** "Puts the credits back to 1,000 at the start of each UTC month." */
export function refillSentence(amount: number, interval: Refill["interval"]): string {
  return `Puts the credits back to ${count(amount)} at the start of each UTC ${interval}; unused credits do not carry over.`;
}

/**
 * A key's credits as its page states them: "Unlimited", "412 left, never
 * refilled", "412 left, refilled to 1,000 at the start of each UTC month".
 */
export function creditsSummary(remaining: number | null, refill: Refill | null): string {
  if (remaining === null) return "Unlimited";
  const left = remaining === 0 ? "0 left (verifications answer USAGE_EXCEEDED)" : `${count(remaining)} left`;
  return refill ? `${left}, refilled to ${count(refill.amount)} at the start of each UTC ${refill.interval}` : `${left}, never refilled`;
}

/** A key's credits in a list: "412 credits", "1 credit"; null for unlimited use. */
export function creditsBadge(remaining: number | null): string | null {
  if (remaining === null) return null;
  return `${count(remaining)} ${remaining === 1 ? "credit" : "credits"}`;
}
