export { createApiKey, deleteApiKey, listApiKeys, requireScope, revokeApiKey, rollApiKey, scopesOf, verifyKey } from "./api-keys/index.ts";
export { authorize } from "./authorize.ts";
export { knownFailure } from "./known-failure.ts";
