type InputProps = Omit<React.ComponentProps<"input">, "id" | "aria-invalid" | "aria-describedby">;

/**
 * A labelled input (or textarea) whose errors are tied to it: aria-invalid
 * marks it, aria-describedby reads the error (or, while there is none, the
 * hint) with it. useFieldErrors' formRef focuses the first invalid one. Other
 * props go to the input (type, min, defaultValue, disabled, …).
 */
export function Field({
  label,
  errors,
  hint,
  multiline = false,
  ...input
}: InputProps & {
  name: string;
  label: string;
  errors?: string[] | undefined;
  hint?: React.ReactNode;
  multiline?: boolean;
}) {
  const id = `field-${input.name}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = errors !== undefined && errors.length > 0;
  const common = { id, "aria-invalid": invalid ? true : undefined, "aria-describedby": invalid ? errorId : hint ? hintId : undefined };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea rows={3} name={input.name} defaultValue={input.defaultValue} maxLength={input.maxLength} disabled={input.disabled} {...common} />
      ) : (
        <input type="text" {...input} {...common} />
      )}
      {hint && !invalid ? (
        <small className="hint" id={hintId}>
          {hint}
        </small>
      ) : null}
      {invalid ? (
        <span className="field-error" id={errorId}>
          {errors.join(" ")}
        </span>
      ) : null}
    </div>
  );
}
