import { z } from "zod";

/**
 * What every text field of every input refuses, so bad text is a 400 naming
 * the field instead of a 500 further down: PostgreSQL refuses NUL in text
 * ("invalid byte sequence", SQLSTATE 22021), and a lone UTF-16 surrogate
 * (JSON allows "\ud800") cannot be encoded as UTF-8 at all, so Prisma fails
 * on it and argon2 would silently hash it as U+FFFD.
 *
 * Control characters (Unicode category Cc: C0, DEL and C1) are refused where
 * no person could have typed them; `lines: true` lets a multi-line field keep
 * tab, line feed and carriage return, which a textarea produces.
 */
export interface TextRules {
  /** Keep tabs and line breaks (a description); otherwise the field is one line. */
  lines?: boolean;
  /**
   * A name people tell things apart by (a key's): it needs a character that
   * shows. Directional marks and overrides are kept (right-to-left text uses
   * them), but a name of nothing else, or of zero-width characters, would be
   * a blank row in the key list.
   */
  label?: boolean;
}

const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /(?![\t\n\r])\p{Cc}/u;
// with the u flag a lone surrogate is a code point of its own, category Cs; a pair is one astral code point
const LONE_SURROGATE = /\p{Cs}/u;
// anything but format characters (zero-width ones, joiners, directional marks) and spaces
const VISIBLE = /[^\p{Cf}\p{Z}\s]/u;

/**
 * A text field: "<field> is required." when absent, "<field> must be text."
 * when not a string, trimmed unless `trim: false` (passwords are kept as
 * typed), and refused with a message naming the field when it holds a
 * character described above. Each refusal aborts the field's later checks, so
 * `errors` says what is wrong rather than every rule the text then breaks.
 */
export function textField(field: string, rules: TextRules & { trim?: boolean } = {}) {
  const base = z.string({ error: (issue) => (issue.input === undefined ? `${field} is required.` : `${field} must be text.`) });
  return (rules.trim === false ? base : base.trim())
    .refine((value) => !LONE_SURROGATE.test(value), {
      error: `${field} is not valid Unicode: it holds a lone surrogate (like \\ud800); send the text as well-formed UTF-8 or UTF-16.`,
      abort: true,
    })
    .refine((value) => !(rules.lines ? CONTROL_BUT_LINES : CONTROL).test(value), {
      error: rules.lines
        ? `${field} cannot contain control characters (like NUL) other than tabs and line breaks; remove them.`
        : `${field} cannot contain control characters (like NUL, a tab or a line break); remove them.`,
      abort: true,
    })
    .refine((value) => !rules.label || value === "" || VISIBLE.test(value), {
      error: `${field} must have a character you can see: it holds only invisible ones.`,
      abort: true,
    });
}
