export function Field(props: {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  errors?: string[] | undefined;
  multiline?: boolean;
  maxLength?: number;
  hint?: string;
}) {
  const id = `field-${props.name}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: props.name,
    "aria-invalid": props.errors ? true : undefined,
    "aria-describedby": props.errors ? errorId : undefined,
    maxLength: props.maxLength,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? <textarea rows={3} {...common} /> : <input type={props.type ?? "text"} autoComplete={props.autoComplete} {...common} />}
      {props.hint && !props.errors ? <small className="hint">{props.hint}</small> : null}
      {props.errors ? (
        <span className="field-error" id={errorId} role="alert">
          {props.errors.join(" ")}
        </span>
      ) : null}
    </div>
  );
}
