import { type TRPCRouterRecord } from "@trpc/server";
import { listAuditLog } from "@keysmith/core";
import { ZAuditLogQuery, ZAuditPage } from "@keysmith/validators";

import { scopedProcedure } from "../trpc.ts";

export const auditLogRouter = {
  /** The caller's audit log, newest first, optionally one kind of event or one key's; `nextCursor` fetches older events. */
  list: scopedProcedure("keys:read")
    .input(ZAuditLogQuery.optional())
    .output(ZAuditPage)
    .query(({ ctx, input }) => listAuditLog({ principal: ctx.principal, query: input ?? {} })),
} satisfies TRPCRouterRecord;
