export { signUp } from "./accounts.ts";
export { apiKeyDisplayPrefix, checkApiKeyFormat, generateApiKey, hashApiKey, type KeyFormatProblem } from "./api-key-format.ts";
export { clearedSessionCookie, cookieSecurity, readSessionCookie, SESSION_COOKIE, sessionCookie } from "./cookies.ts";
export { login, type LoginContext, type LoginResult } from "./login.ts";
export { isCrossSiteRequest } from "./origin.ts";
export { resolvePrincipal, type Principal, type Resolution } from "./resolve-principal.ts";
export { ACCESS_TOKEN_TTL_MS, createSession, invalidateSession, type SessionUser, validateSessionToken, WEB_SESSION_TTL_MS } from "./sessions.ts";
export { FailureThrottle, loginThrottles } from "./throttle.ts";
