"use client";

import { useId, useState } from "react";

import { LIMITS, type Refill, REFILL_INTERVALS } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";

import { CREDITS_FIELD, refillSentence } from "../_lib/credits.ts";

const INTERVAL_LABELS: Record<Refill["interval"], string> = { day: "Daily", month: "Monthly" };

type Interval = Refill["interval"] | "none";

/**
 * A key's credits (empty: unlimited) and their refill: none, or back to an
 * amount at the start of each UTC day or month. `current` (editing) starts
 * the fields from the key's. The refill's hint says what the chosen refill
 * does as it is typed.
 */
export function CreditsField({ errors, current = null, disabled = false }: {
  errors: { remaining?: string[] | undefined; refill?: string[] | undefined };
  current?: { remaining: number | null; refill: Refill | null } | null;
  disabled?: boolean;
}) {
  const id = useId();
  const [interval, setRefillInterval] = useState<Interval>(current?.refill?.interval ?? "none");
  const [amount, setAmount] = useState(current?.refill ? String(current.refill.amount) : "");
  const refillErrors = errors.refill;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hintId, refillErrors ? errorId : null].filter(Boolean).join(" ");
  const refilling = interval !== "none";
  const typed = /^\d+$/.test(amount.trim()) ? Number(amount.trim()) : null;

  return (
    <>
      <Field
        name={CREDITS_FIELD.remaining}
        label="Credits (optional)"
        type="number"
        inputMode="numeric"
        min={LIMITS.credits.min}
        max={LIMITS.credits.max}
        step={1}
        errors={errors.remaining}
        hint={
          current
            ? "Credits left; a new number replaces them, empty for unlimited use. Each successful verification spends one credit; at zero the key answers USAGE_EXCEEDED."
            : "Empty for unlimited use. Each successful verification spends one credit; at zero the key answers USAGE_EXCEEDED."
        }
        defaultValue={current?.remaining ?? ""}
        disabled={disabled}
      />
      <div className="field refill-field" data-field="refill">
        <label htmlFor={`${id}-interval`}>Refill</label>
        <select
          id={`${id}-interval`}
          name={CREDITS_FIELD.interval}
          value={interval}
          disabled={disabled}
          onChange={(event) => {
            const next = event.target.value as Interval;
            setRefillInterval(next);
            // a refill usually puts back what the key starts with
            const credits = event.target.form?.elements.namedItem(CREDITS_FIELD.remaining);
            if (next !== "none" && amount === "" && credits instanceof HTMLInputElement && /^\d+$/.test(credits.value) && Number(credits.value) > 0) {
              setAmount(credits.value);
            }
          }}
          aria-invalid={refillErrors && !refilling ? true : undefined}
          aria-describedby={describedBy}
        >
          <option value="none">No refill</option>
          {REFILL_INTERVALS.map((each) => (
            <option key={each} value={each}>{INTERVAL_LABELS[each]}</option>
          ))}
        </select>
        {refilling ? (
          <>
            <label htmlFor={`${id}-amount`}>Refill amount (credits)</label>
            <input
              id={`${id}-amount`}
              type="number"
              inputMode="numeric"
              name={CREDITS_FIELD.amount}
              min={1}
              max={LIMITS.credits.max}
              step={1}
              value={amount}
              disabled={disabled}
              onChange={(event) => setAmount(event.target.value)}
              aria-invalid={refillErrors ? true : undefined}
              aria-describedby={describedBy}
            />
          </>
        ) : null}
        <small className="hint" id={hintId} aria-live="polite">
          {!refilling ? "The credits are not refilled." : typed !== null && typed > 0 ? refillSentence(typed, interval) : "Enter how many credits each refill puts back."}
        </small>
        {refillErrors ? <span className="field-error" id={errorId}>{refillErrors.join(" ")}</span> : null}
      </div>
    </>
  );
}
