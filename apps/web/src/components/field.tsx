/**
 * A labelled input (or textarea) whose errors are tied to it: aria-invalid
 * marks it, aria-describedby reads the error (or, while there is none, the
 * hint) with it. useFieldErrors' formRef focuses the first invalid one.
 */
export function Field(props: {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  errors?: string[] | undefined;
  multiline?: boolean;
  maxLength?: number;
  hint?: string;
  defaultValue?: string | number;
}) {
  const id = `field-${props.name}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = props.errors !== undefined && props.errors.length > 0;
  const describedBy = invalid ? errorId : props.hint ? hintId : undefined;
  const common = {
    id,
    name: props.name,
    "aria-invalid": invalid ? true : undefined,
    "aria-describedby": describedBy,
    maxLength: props.maxLength,
    defaultValue: props.defaultValue,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? <textarea rows={3} {...common} /> : <input type={props.type ?? "text"} autoComplete={props.autoComplete} {...common} />}
      {props.hint && !invalid ? (
        <small className="hint" id={hintId}>
          {props.hint}
        </small>
      ) : null}
      {invalid ? (
        <span className="field-error" id={errorId}>
          {props.errors?.join(" ")}
        </span>
      ) : null}
    </div>
  );
}
