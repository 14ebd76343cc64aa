import { type inferRouterInputs, type inferRouterOutputs } from "@trpc/server";

import { type AppRouter, appRouter } from "./root.ts";
import { createCallerFactory } from "./trpc.ts";

export { createContextInner, createRequestContext, type Context, type ContextInner } from "./context.ts";
export { appRouter, type AppRouter };
export { procedureScope } from "./procedure-scope.ts";
export const createCaller = createCallerFactory(appRouter);
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
