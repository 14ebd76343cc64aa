import { createMiddleware } from "hono/factory";

import { failureResponse } from "./failures.ts";
import { type VerifiedKey } from "./verified-key.ts";
import { createRequestVerifier, type ProtectOptions } from "./verify-request.ts";

export type { VerifiedKey } from "./verified-key.ts";
export type { ProtectOptions } from "./verify-request.ts";

/** The Hono environment the middleware adds: `c.get("keysmith")` is the verified key. */
export interface KeysmithEnv {
  Variables: { keysmith: VerifiedKey };
}

/**
 * Hono middleware: lets a request through only with a Keysmith key that is
 * VALID for `scopes` (spending `cost`), and puts the key in
 * `c.get("keysmith")`; otherwise answers in Keysmith's failed envelope with
 * 401, 403, 429, 500 or 503 (see the package README).
 */
export function keysmith(options: ProtectOptions) {
  const verify = createRequestVerifier(options);
  return createMiddleware<KeysmithEnv>(async (c, next) => {
    const outcome = await verify(c.req.header("authorization"));
    if (!outcome.ok) return failureResponse(outcome.failure);
    c.set("keysmith", outcome.key);
    await next();
  });
}
