import { type Principal, type Verification, verifyApiKey } from "@keysmith/auth";
import { type VerifyInput } from "@keysmith/validators";

import { requireScope } from "./scopes.ts";

/**
 * POST /api-keys/verify and apiKeys.verify: the code says why a key fails.
 * The whole verification, for a surface that tells more than the result
 * (REST's Retry-After and RateLimit headers). A warm key's is a value, not a
 * promise (see verifyApiKey); a caller without the scope gets a thrown error.
 */
export function verifyKey({ principal, input }: { principal: Principal; input: Omit<VerifyInput, "cost"> & { cost?: number } }): Verification | Promise<Verification> {
  requireScope(principal, "keys:verify");
  return verifyApiKey(input.key, { cost: input.cost, ...(input.scopes ? { requiredScopes: input.scopes } : {}) });
}
