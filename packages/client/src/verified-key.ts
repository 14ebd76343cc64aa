import type { Scope, VerifyResult } from "@keysmith/validators";

/** The key a protected route was called with, once Keysmith has said it is VALID. */
export interface VerifiedKey {
  id: number;
  name: string;
  /** The Keysmith user who owns the key: whose account to act for. */
  owner_id: number;
  scopes: Scope[];
  /** Credits left after this request; null: unlimited. */
  remaining: number | null;
  /** ISO 8601; null: never. */
  expires_at: string | null;
}

/** A VALID result as a VerifiedKey; null if a field a VALID answer always has is missing (a Keysmith this client does not know). */
export function verifiedKey(result: VerifyResult): VerifiedKey | null {
  const { id, name, owner_id, scopes } = result;
  if (!result.valid || id === null || name === null || owner_id === null || scopes === null) return null;
  return { id, name, owner_id, scopes, remaining: result.remaining, expires_at: result.expires_at };
}
