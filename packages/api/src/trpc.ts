import { initTRPC, TRPCError } from "@trpc/server";
import { type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { withKeysHidden } from "@keysmith/auth";
import { authorize, knownFailure, requireScope } from "@keysmith/core";
import { KeysmithError, type Scope, unexpectedError, validationError } from "@keysmith/validators";
import { z } from "zod";

import { type Context } from "./context.ts";
import { toTRPCError } from "./errors.ts";

/**
 * What a caller is told, as REST tells it: an unexpected error's text
 * (Prisma's, a driver's) is for the log only; bad input gets its sentence
 * (zod's own message is a JSON dump of its issues); malformed JSON is said
 * to be malformed, never quoted (the parser's message quotes the body, which
 * may hold a password).
 */
function callerMessage(code: TRPC_ERROR_CODE_KEY, cause: unknown, message: string): string {
  if (cause instanceof KeysmithError) return message;
  if (code === "BAD_REQUEST" && cause instanceof z.ZodError) return validationError(cause).message;
  if ((code === "BAD_REQUEST" && cause instanceof SyntaxError) || code === "PARSE_ERROR") return "The JSON input is malformed: check quotes, commas and brackets.";
  if (code === "INTERNAL_SERVER_ERROR") return unexpectedError().message;
  // tRPC's own "No procedure found on path …" quotes the path, which may hold a key
  if (code === "NOT_FOUND") return withKeysHidden(message);
  return message;
}

/** What a procedure declares about itself, for whoever handles its calls before it runs. */
export interface ProcedureMeta {
  /** The scope an API key needs to call it (see scopedProcedure). */
  scope?: Scope;
}

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  // never a stack trace in a response, whatever NODE_ENV says
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fieldErrors =
      cause instanceof KeysmithError
        ? (cause.details.fields ?? null)
        : error.code === "BAD_REQUEST" && cause instanceof z.ZodError
          ? z.flattenError(cause).fieldErrors
          : null;
    const message = callerMessage(error.code, cause, shape.message);
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
  const known = knownFailure(result.error.cause);
  if (known) throw toTRPCError(known);
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

/** A protected procedure that an API key may call only with `scope` (declared in its meta too: see procedureScope). */
export const scopedProcedure = (scope: Scope) =>
  protectedProcedure.meta({ scope }).use(({ ctx, next }) => {
    requireScope(ctx.principal, scope);
    return next();
  });

export { TRPCError };
