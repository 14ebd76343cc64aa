import { useId } from "react";

type InputProps = Omit<React.ComponentProps<"input">, "id" | "aria-invalid" | "aria-describedby">;

/** A labelled input or textarea whose hint and error are tied to it (aria-describedby), marked invalid when it has errors. */
export function FormField({ label, errors, hint, multiline = false, ...input }: InputProps & {
  name: string;
  label: string;
  errors?: string[] | undefined;
  hint?: React.ReactNode;
  multiline?: boolean;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, errors ? errorId : null].filter(Boolean).join(" ") || undefined;
  const common = { id, "aria-invalid": errors ? true : undefined, "aria-describedby": describedBy };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea rows={3} name={input.name} defaultValue={input.defaultValue} maxLength={input.maxLength} disabled={input.disabled} {...common} />
      ) : (
        <input type="text" {...input} {...common} />
      )}
      {hint ? <small className="hint" id={hintId}>{hint}</small> : null}
      {errors ? <span className="field-error" id={errorId}>{errors.join(" ")}</span> : null}
    </div>
  );
}
