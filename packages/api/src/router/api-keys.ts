import { type TRPCRouterRecord } from "@trpc/server";
import { ZApiKeyIdInput, ZApiKeySummary, ZCreateApiKeyInput, ZCreatedApiKey } from "@keysmith/validators";

import { createApiKey, deleteApiKey, listApiKeys } from "../api-keys/index.ts";
import { protectedProcedure } from "../trpc.ts";

export const apiKeysRouter = {
  /** Issues a key; the response is the only time its value is shown. */
  create: protectedProcedure
    .input(ZCreateApiKeyInput)
    .output(ZCreatedApiKey)
    .mutation(({ ctx, input }) => createApiKey(ctx.principal.user.id, input)),

  /** The caller's keys, newest first, without their values. */
  list: protectedProcedure.output(ZApiKeySummary.array()).query(({ ctx }) => listApiKeys(ctx.principal.user.id)),

  /** Deletes one of the caller's keys; it stops working at once. */
  delete: protectedProcedure
    .input(ZApiKeyIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteApiKey(ctx.principal.user.id, input.id);
      return { deleted: true as const };
    }),
} satisfies TRPCRouterRecord;
