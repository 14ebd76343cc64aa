import { useId } from "react";

import { type Scope } from "@keysmith/validators";

/** One checkbox per scope (all ticked at first); the error and hint describe each box, which is where focus lands. */
export function ScopeCheckboxes({ scopes, errors, hint, disabled = false }: {
  scopes: readonly Scope[];
  errors?: string[] | undefined;
  hint?: React.ReactNode;
  disabled?: boolean;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, errors ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset className="field scope-list" disabled={disabled}>
      <legend>Scopes</legend>
      <div className="scope-options">
        {scopes.map((scope) => (
          <label key={scope} className="check">
            <input type="checkbox" name="scopes" value={scope} defaultChecked aria-invalid={errors ? true : undefined} aria-describedby={describedBy} />{" "}
            <code>{scope}</code>
          </label>
        ))}
      </div>
      {hint ? <small className="hint" id={`${id}-hint`}>{hint}</small> : null}
      {errors ? <span className="field-error" id={`${id}-error`}>{errors.join(" ")}</span> : null}
    </fieldset>
  );
}
