import { missingScope, type Principal } from "@keysmith/auth";
import { SCOPES, type Scope } from "@keysmith/validators";

/** What the caller may do: a key its scopes, a session or token everything its user can. */
export function scopesOf(principal: Principal): readonly Scope[] {
  return principal.via === "key" ? principal.scopes : SCOPES;
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!scopesOf(principal).includes(scope)) throw missingScope(scope);
}
