import { verifyApiKey } from "@keysmith/auth";
import { type VerifyInput, type VerifyResult } from "@keysmith/validators";

/** POST /api-keys/verify and apiKeys.verify: the code says why a key fails. */
export async function verifyKey(input: VerifyInput): Promise<VerifyResult> {
  const { result } = await verifyApiKey(input.key, input.scopes ? { requiredScopes: input.scopes } : {});
  return result;
}
