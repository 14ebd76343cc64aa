"use client";

import { useId, useState } from "react";

import { When } from "~/app/_components/when.tsx";
import { fromDateTimeLocal, toDateTimeLocal, viewerTimeZone } from "~/app/_lib/format-time.ts";

import { EXPIRY_CHOICES, EXPIRY_FIELD, type ExpiryChoice, presetExpiresAt } from "../_lib/expiry.ts";

/**
 * When a key stops working: a preset, or a date and time in the viewer's
 * time zone, shown back in it. `current` (editing) adds "keep the current
 * expiry", the default there.
 */
export function ExpiryField({ errors, editing = false, current = null, disabled = false }: {
  errors?: string[] | undefined;
  editing?: boolean;
  current?: string | null;
  disabled?: boolean;
}) {
  const id = useId();
  const [choice, setChoice] = useState<ExpiryChoice>(editing ? "unchanged" : "never");
  const [custom, setCustom] = useState("");
  const [pickedAt, setPickedAt] = useState(0);
  const choices = EXPIRY_CHOICES.filter((option) => editing || option.value !== "unchanged");
  const errorId = `${id}-error`;
  const previewId = `${id}-preview`;
  const customIso = fromDateTimeLocal(custom);
  const presetIso = presetExpiresAt(choice, pickedAt);
  const invalid = errors ? true : undefined;

  return (
    <div className="field expiry-field" data-field="expires_at">
      <label htmlFor={id}>Expires</label>
      <select
        id={id}
        name={EXPIRY_FIELD.choice}
        value={choice}
        disabled={disabled}
        onChange={(event) => {
          const next = event.target.value as ExpiryChoice;
          setChoice(next);
          // a preset counts from when it was picked; the form recomputes it on submit
          setPickedAt(Date.now());
          if (next === "custom" && !custom && current) setCustom(toDateTimeLocal(current));
        }}
        aria-invalid={choice === "custom" ? undefined : invalid}
        aria-describedby={[previewId, choice !== "custom" && errors ? errorId : null].filter(Boolean).join(" ")}
      >
        {choices.map((option) => (
          <option key={option.value} value={option.value}>{option.label}</option>
        ))}
      </select>
      {choice === "custom" ? (
        <>
          <label htmlFor={`${id}-custom`}>Expiry date and time (your time zone, {viewerTimeZone()})</label>
          <input
            id={`${id}-custom`}
            type="datetime-local"
            name={EXPIRY_FIELD.custom}
            value={custom}
            disabled={disabled}
            onChange={(event) => setCustom(event.target.value)}
            aria-invalid={invalid}
            aria-describedby={[previewId, errors ? errorId : null].filter(Boolean).join(" ")}
          />
        </>
      ) : null}
      <small className="hint" id={previewId} aria-live="polite">
        {choice === "unchanged" ? <>Currently: <When iso={current} show="both" /></> : null}
        {choice === "never" ? "The key will not expire." : null}
        {presetIso ? <>Expires <When iso={presetIso} show="absolute" /></> : null}
        {choice === "custom" ? customIso ? <>Expires <When iso={customIso} show="both" /></> : "Pick a date and time." : null}
      </small>
      {errors ? <span className="field-error" id={errorId}>{errors.join(" ")}</span> : null}
    </div>
  );
}
