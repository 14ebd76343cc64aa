import { type AnyProcedure } from "@trpc/server";
import { type Scope } from "@keysmith/validators";

import { type ProcedureMeta } from "./trpc.ts";

/**
 * The scope an API key needs for every call of a request (one call, or a
 * batch), when they all need the same one; undefined otherwise. The caller is
 * resolved once per request, before any procedure runs: given this scope, a
 * key without it is refused before it spends a credit or a rate-limit
 * admission (see resolvePrincipal). A batch whose calls need different scopes
 * (or none) is charged once and refused call by call, as before.
 */
export function procedureScope(procedures: readonly (AnyProcedure | null)[]): Scope | undefined {
  let scope: Scope | undefined;
  for (const procedure of procedures) {
    const declared = (procedure?._def.meta as ProcedureMeta | undefined)?.scope;
    if (declared === undefined || (scope !== undefined && declared !== scope)) return undefined;
    scope = declared;
  }
  return scope;
}
