import { initTRPC, TRPCError } from "@trpc/server";
import { KeysmithError } from "@keysmith/validators";
import { sessionCookie } from "@keysmith/auth";
import { z } from "zod";

import { authorize } from "./authorize.ts";
import { type Context } from "./context.ts";
import { toTRPCError } from "./errors.ts";

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fieldErrors =
      cause instanceof KeysmithError ? (cause.details.fields ?? null) : cause instanceof z.ZodError ? z.flattenError(cause).fieldErrors : null;
    // which field failed and why, for forms and typed clients
    return { ...shape, data: { ...shape.data, fieldErrors } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain functions throw KeysmithError; callers see the matching tRPC code. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof KeysmithError) throw toTRPCError(result.error.cause);
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

/**
 * Requires a caller: a session cookie, an access token or an API key. A
 * cookie-authenticated mutation from another site is refused (CSRF).
 */
export const protectedProcedure = publicProcedure.use(({ ctx, type, next }) => {
  const principal = authorize({ principal: ctx.principal, error: ctx.authError }, { mutation: type === "mutation", crossSite: ctx.crossSite });
  // a sliding session moved its expiry: the browser's cookie must follow
  if (principal.via === "cookie" && principal.renewedUntil && ctx.sessionToken) {
    ctx.setCookie(sessionCookie(ctx.sessionToken, principal.renewedUntil, ctx.cookieSecurity));
  }
  return next({ ctx: { ...ctx, principal } });
});

export { TRPCError };
