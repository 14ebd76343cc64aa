/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers,
 * structured-field syntax of draft 10) for a key over its own limit: the
 * policy (`q` verifications per `w` seconds) and what is left of it now
 * (`r`, none, for `t` seconds), next to the classic Retry-After.
 */
export function rateLimitHeaders(limitPerMinute: number, retryAfterSeconds: number): Record<string, string> {
  return {
    "retry-after": String(retryAfterSeconds),
    "ratelimit-policy": `"key";q=${limitPerMinute};w=60`,
    ratelimit: `"key";r=0;t=${retryAfterSeconds}`,
  };
}
