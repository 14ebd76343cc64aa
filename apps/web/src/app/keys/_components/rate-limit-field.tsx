import { LIMITS } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";

/** Verifications a minute: a whole number within the API's limits, or empty for none. */
export function RateLimitField({ errors, hint, ...input }: { errors?: string[] | undefined; hint: string; defaultValue?: number | string; disabled?: boolean }) {
  return (
    <Field
      name="rate_limit_per_minute"
      label="Rate limit per minute (optional)"
      type="number"
      inputMode="numeric"
      min={1}
      max={LIMITS.rateLimitPerMinute.max}
      step={1}
      errors={errors}
      hint={hint}
      {...input}
    />
  );
}
