import { type inferRouterInputs, type inferRouterOutputs } from "@trpc/server";

import { type AppRouter, appRouter } from "./root.ts";
import { createCallerFactory, createContextInner } from "./trpc.ts";

export { appRouter, createContextInner, type AppRouter };
export const createCaller = createCallerFactory(appRouter);
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
