export { acknowledgeLeaks, listUnacknowledgedLeaks } from "./api-keys/index.ts";
export { importApiKeys } from "./api-keys/index.ts";
export { accountUsage, apiKeyUsage, createApiKey, listAuditLog, deleteApiKey, getApiKey, listApiKeys, requireScope, revokeApiKey, rollApiKey, scopesOf, statusOf, updateApiKey, verifyKey } from "./api-keys/index.ts";
export { authorize } from "./authorize.ts";
export { knownFailure } from "./known-failure.ts";
export { handleGithubAlert } from "./leaks/github-alert.ts";
export { reportLeakedKeys } from "./leaks/report-leak.ts";
