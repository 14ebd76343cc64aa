import { LoginThrottle } from "./login-throttle.ts";
import { FailureThrottle } from "./throttle-failures.ts";

export { FailureThrottle, type ThrottleRule } from "./throttle-failures.ts";
export { LOGIN_LIMITS, type LoginAttempt, type LoginLimits, LoginThrottle, sweepLoginThrottle } from "./login-throttle.ts";

/** Failed logins with the default limits (LOGIN_LIMITS, documented in the README's "Limits"), shared by every instance through PostgreSQL. */
export const loginThrottles = new LoginThrottle();

/**
 * Bearer values that name no token or key, per client address: 30 a minute,
 * then refused without a lookup until the oldest leaves the window
 * (resolve-principal.ts). A real credential never counts. In memory, per
 * instance: a lookup of an unknown value is already a single indexed read.
 */
export const bearerFailures = new FailureThrottle({ maxFailures: 30, windowMs: 60 * 1000 });

/**
 * Calls to the unauthenticated leak report, per client address: 10 a minute
 * (each may name 1,000 keys). Every call counts, as a failure would. In
 * memory, per instance: it bounds the hashing and lookups one address can
 * cause, and a report revokes keys, so a legitimate reporter needs few.
 */
export const leakReports = new FailureThrottle({ maxFailures: 10, windowMs: 60 * 1000 });
