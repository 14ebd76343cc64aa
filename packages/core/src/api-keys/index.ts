export { createApiKey } from "./create-api-key.ts";
export { deleteApiKey } from "./delete-api-key.ts";
export { listApiKeys } from "./list-api-keys.ts";
export { revokeApiKey } from "./revoke-api-key.ts";
export { rollApiKey } from "./roll-api-key.ts";
export { requireScope, scopesOf } from "./scopes.ts";
export { verifyKey } from "./verify.ts";
