import { type TRPCRouterRecord } from "@trpc/server";
import {
  type Scope,
  ZApiKeyIdInput,
  ZApiKeySummary,
  ZCreateApiKeyInput,
  ZCreatedApiKey,
  ZRollApiKeyInput,
  ZRolledApiKey,
  ZVerifyInput,
  ZVerifyResult,
} from "@keysmith/validators";

import { createApiKey, deleteApiKey, listApiKeys, requireScope, revokeApiKey, rollApiKey, verifyKey } from "@keysmith/core";
import { protectedProcedure } from "../trpc.ts";

/** A protected procedure that an API key may call only with `scope`. */
const scoped = (scope: Scope) =>
  protectedProcedure.use(({ ctx, next }) => {
    requireScope(ctx.principal, scope);
    return next();
  });

export const apiKeysRouter = {
  /** Issues a key; the response is the only time its value is shown. */
  create: scoped("keys:write")
    .input(ZCreateApiKeyInput)
    .output(ZCreatedApiKey)
    .mutation(({ ctx, input }) => createApiKey({ principal: ctx.principal, input, now: ctx.now() })),

  /** The caller's keys, newest first, without their values. */
  list: scoped("keys:read").output(ZApiKeySummary.array()).query(({ ctx }) => listApiKeys({ principal: ctx.principal })),

  /** Deletes one of the caller's keys; it stops working at once. */
  delete: scoped("keys:write")
    .input(ZApiKeyIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteApiKey({ principal: ctx.principal, id: input.id });
      return { deleted: true as const };
    }),

  /** Stops a key working and keeps it listed as revoked. */
  revoke: scoped("keys:write")
    .input(ZApiKeyIdInput)
    .output(ZApiKeySummary)
    .mutation(({ ctx, input }) => revokeApiKey({ principal: ctx.principal, id: input.id, now: ctx.now() })),

  /** A new key for an old one, which keeps working for `grace_seconds`. */
  roll: scoped("keys:write")
    .input(ZRollApiKeyInput)
    .output(ZRolledApiKey)
    .mutation(({ ctx, input }) => rollApiKey({ principal: ctx.principal, id: input.id, graceSeconds: input.grace_seconds, now: ctx.now() })),

  /** Says whether a key is valid and, if not, why. */
  verify: scoped("keys:verify")
    .input(ZVerifyInput)
    .output(ZVerifyResult)
    .mutation(({ ctx, input }) => verifyKey({ principal: ctx.principal, input })),
} satisfies TRPCRouterRecord;
