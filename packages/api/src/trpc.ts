import { getDb } from "@keysmith/db";
import { initTRPC } from "@trpc/server";
import { z } from "zod";

/**
 * The context without a request, so tests and in-process callers build it
 * directly (tRPC's next-prisma-starter pattern).
 */
export function createContextInner() {
  return { db: getDb() };
}

export type Context = ReturnType<typeof createContextInner>;

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // which field failed and why, for forms and typed clients
        fieldErrors: error.cause instanceof z.ZodError ? z.flattenError(error.cause).fieldErrors : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
