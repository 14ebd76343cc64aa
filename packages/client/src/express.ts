import { type IncomingMessage, type ServerResponse } from "node:http";

import { failureBody, failureHeaders } from "./failures.ts";
import { type VerifiedKey } from "./verified-key.ts";
import { createRequestVerifier, type ProtectOptions } from "./verify-request.ts";

export type { VerifiedKey } from "./verified-key.ts";
export type { ProtectOptions } from "./verify-request.ts";

declare global {
  // Express's own merging point (passport's req.user is declared the same way): with @types/express
  // installed, req.keysmith and res.locals.keysmith are typed in every route; without it this is inert
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The Keysmith key the request was verified with, set by keysmithExpress(). */
      keysmith?: VerifiedKey;
    }
    interface Locals {
      /** The Keysmith key the request was verified with, set by keysmithExpress(). */
      keysmith?: VerifiedKey;
    }
  }
}

/** Node's request as the middleware sees it: Express's, Connect's or a bare http server's. */
export type KeysmithRequest = IncomingMessage & { keysmith?: VerifiedKey };
type KeysmithResponse = ServerResponse & { locals?: Record<string, unknown> };

/**
 * The request's Authorization, every copy of it joined with ", " as a fetch
 * `Headers` joins them: Node keeps only the first copy in `req.headers`, so a
 * second credential (a proxy's, an attacker's) would go unseen here while the
 * Hono and Next.js adapters refuse the pair as malformed.
 */
function authorizationOf(req: IncomingMessage): string | undefined {
  // optional: a request made by hand (a test's mock) may lack it
  const copies = (req.headersDistinct as IncomingMessage["headersDistinct"] | undefined)?.authorization;
  return copies && copies.length > 1 ? copies.join(", ") : req.headers.authorization;
}

/**
 * Express 5 (or Connect) middleware: calls `next()` only with a Keysmith key
 * VALID for `scopes` (spending `cost`), and sets `req.keysmith` and
 * `res.locals.keysmith`; otherwise answers in Keysmith's failed envelope with
 * 401, 403, 429, 500 or 503 itself. Typed over node:http, so neither express
 * nor its types are needed to use it.
 */
export function keysmithExpress(options: ProtectOptions): (req: KeysmithRequest, res: KeysmithResponse, next: (error?: unknown) => void) => void {
  const verify = createRequestVerifier(options);
  return (req, res, next) => {
    void verify(authorizationOf(req)).then((outcome) => {
      if (!outcome.ok) {
        res.writeHead(outcome.failure.status, failureHeaders(outcome.failure)).end(failureBody(outcome.failure));
        return;
      }
      req.keysmith = outcome.key;
      if (res.locals) res.locals.keysmith = outcome.key;
      next();
    }, next);
  };
}

/** The verified key of a request that passed keysmithExpress(); throws if the route was reached without it (a wiring mistake). */
export function keysmithKey(req: KeysmithRequest): VerifiedKey {
  if (!req.keysmith) throw new Error("No verified Keysmith key on this request: put keysmithExpress() before this route.");
  return req.keysmith;
}
