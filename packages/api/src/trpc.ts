import { initTRPC, TRPCError } from "@trpc/server";
import { authorize } from "@keysmith/core";
import { isDatabaseUnavailable } from "@keysmith/db";
import { databaseUnavailableError, KeysmithError, unexpectedError, validationError } from "@keysmith/validators";
import { z } from "zod";

import { type Context } from "./context.ts";
import { toTRPCError } from "./errors.ts";

const t = initTRPC.context<Context>().create({
  // never a stack trace in a response, whatever NODE_ENV says
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fieldErrors =
      cause instanceof KeysmithError ? (cause.details.fields ?? null) : cause instanceof z.ZodError ? z.flattenError(cause).fieldErrors : null;
    // an unexpected error's text (Prisma's, a driver's) is for the log, not the caller; bad input gets
    // the sentence REST sends (zod's own message is a JSON dump of its issues)
    const message =
      cause instanceof z.ZodError
        ? validationError(cause).message
        : error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof KeysmithError)
          ? unexpectedError().message
          : shape.message;
    // which field failed and why, for forms and typed clients; `stack: undefined` is left out of the JSON
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Domain functions throw KeysmithError; callers see the matching tRPC code.
 * A database that is down or stalled is SERVICE_UNAVAILABLE (503), as on REST.
 */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof KeysmithError) throw toTRPCError(cause);
  if (isDatabaseUnavailable(cause)) throw toTRPCError(databaseUnavailableError());
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

/**
 * Requires a caller: a session cookie, an access token or an API key. A
 * cookie-authenticated mutation from another site is refused (CSRF).
 */
export const protectedProcedure = publicProcedure.use(({ ctx, type, next }) => {
  const principal = authorize({ principal: ctx.principal, error: ctx.authError }, { mutation: type === "mutation", crossSite: ctx.crossSite });
  return next({ ctx: { ...ctx, principal } });
});

export { TRPCError };
