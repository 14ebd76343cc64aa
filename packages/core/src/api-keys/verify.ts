import { type Principal, verifyApiKey } from "@keysmith/auth";
import { type VerifyInput, type VerifyResult } from "@keysmith/validators";

import { requireScope } from "./scopes.ts";

/** POST /api-keys/verify and apiKeys.verify: the code says why a key fails. */
export async function verifyKey({ principal, input }: { principal: Principal; input: VerifyInput }): Promise<VerifyResult> {
  requireScope(principal, "keys:verify");
  const { result } = await verifyApiKey(input.key, input.scopes ? { requiredScopes: input.scopes } : {});
  return result;
}
