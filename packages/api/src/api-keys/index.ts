export { createApiKey } from "./create-api-key.ts";
export { deleteApiKey } from "./delete-api-key.ts";
export { listApiKeys } from "./list-api-keys.ts";
