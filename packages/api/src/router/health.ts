import { type TRPCRouterRecord } from "@trpc/server";

import { publicProcedure } from "../trpc.ts";

export const healthRouter = {
  /** Liveness plus a real database round trip, for load balancers and the dashboard. */
  check: publicProcedure.query(async ({ ctx }) => {
    await ctx.db.$queryRaw`select 1`;
    return { status: "ok" as const, database: "reachable" as const };
  }),
} satisfies TRPCRouterRecord;
