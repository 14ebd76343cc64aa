import { failureResponse } from "./failures.ts";
import { type VerifiedKey } from "./verified-key.ts";
import { createRequestVerifier, type ProtectOptions } from "./verify-request.ts";

export type { VerifiedKey } from "./verified-key.ts";
export type { ProtectOptions } from "./verify-request.ts";

/**
 * A Next.js route handler (or any `(Request) => Response` handler) that runs
 * only with a Keysmith key VALID for `scopes`, spending `cost`, and gets the
 * key as its third argument; otherwise it answers in Keysmith's failed
 * envelope with 401, 403, 429, 500 or 503. Plain fetch types: no `next`
 * import, so it also serves Bun, Deno or `@hono/node-server`.
 *
 *   export const GET = withKeysmith({ url, apiKey, scopes: ["keys:read"] }, (request, context, key) => Response.json({ owner: key.owner_id }));
 */
export function withKeysmith<Context = unknown>(
  options: ProtectOptions,
  handler: (request: Request, context: Context, key: VerifiedKey) => Response | Promise<Response>,
): (request: Request, context: Context) => Promise<Response> {
  const verify = createRequestVerifier(options);
  return async (request, context) => {
    const outcome = await verify(request.headers.get("authorization"));
    if (!outcome.ok) return failureResponse(outcome.failure);
    return handler(request, context, outcome.key);
  };
}
