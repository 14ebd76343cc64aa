export { createKeysmithClient, DEFAULT_TIMEOUT_MS, type KeysmithClient, type KeysmithClientOptions, type KeysmithCredential, MAX_BATCH_ITEMS, type VerifyKeyOptions } from "./client.ts";
export { type FieldErrors, isKeysmithClientError, KeysmithClientError, type KeysmithClientErrorCode } from "./client-error.ts";
export { type Fetch } from "./keysmith-fetch.ts";
export { type VerifiedKey } from "./verified-key.ts";
export { type CacheOptions } from "./verified-key-cache.ts";
// the core the adapters share, for a framework without one of its own
export { createRequestVerifier, type KeysmithConnection, type ProtectOptions, type VerifyRequestOutcome } from "./verify-request.ts";
export { failureBody, failureHeaders, failureResponse, RATE_LIMITED_RETRY_AFTER_SECONDS, type VerificationFailure } from "./failures.ts";
export type { AppRouter } from "@keysmith/api";
export type { Scope, VerifyCode, VerifyResult } from "@keysmith/validators";
