/**
 * The Bearer scheme of RFC 6750 on the resource server's side: reading the
 * credential from `Authorization`, and the `WWW-Authenticate` challenge that
 * answers a refusal.
 */

/** What `Authorization` held: no Bearer credential at all, one that cannot be a key, or the credential. */
export type PresentedCredential = { kind: "missing" } | { kind: "malformed" } | { kind: "bearer"; value: string };

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Longer than any Keysmith key (46 characters) by far: such a value is refused here, not sent to Keysmith. */
export const MAX_CREDENTIAL_LENGTH = 512;

/**
 * The Bearer credential of an `Authorization` header. The scheme is
 * case-insensitive (RFC 9110 §11.1). No header, or another scheme (Basic), is
 * "missing": RFC 6750 §3.1 says a request that used no or an unsupported
 * method gets a challenge without an error code. "Bearer" with nothing, or
 * with a value no key could be, is "malformed".
 */
export function readBearer(header: string | null | undefined): PresentedCredential {
  if (header === null || header === undefined) return { kind: "missing" };
  const match = /^\s*(\S+)(?:[ \t]+(.*))?$/s.exec(header);
  if (!match || match[1]?.toLowerCase() !== "bearer") return { kind: "missing" };
  const value = (match[2] ?? "").trim();
  if (value === "" || value.length > MAX_CREDENTIAL_LENGTH || !B64TOKEN.test(value)) return { kind: "malformed" };
  return { kind: "bearer", value };
}

export type BearerError = "invalid_token" | "insufficient_scope";

// RFC 6750 §3: error_description and scope hold %x20-21 / %x23-5B / %x5D-7E only (no `"` or `\`)
const unsafe = (text: string) => text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "");

// RFC 9110 §5.6.4: the realm is a quoted-string, where `"` and `\` are escaped; kept to printable ASCII
const quoted = (text: string) => `"${text.replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "\\$&")}"`;

/**
 * `WWW-Authenticate: Bearer realm="…"`, with `error`, `error_description`
 * and `scope` when given (RFC 6750 §3). Without `error` it is the bare
 * challenge a request with no credential gets.
 */
export function bearerChallenge(realm: string, error?: { error: BearerError; description: string; scopes?: readonly string[] }): string {
  const parts = [`realm=${quoted(realm)}`];
  if (error) {
    parts.push(`error="${error.error}"`, `error_description="${unsafe(error.description)}"`);
    if (error.scopes && error.scopes.length > 0) parts.push(`scope="${unsafe(error.scopes.join(" "))}"`);
  }
  return `Bearer ${parts.join(", ")}`;
}
