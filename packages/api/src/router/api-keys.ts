import { type TRPCRouterRecord } from "@trpc/server";
import {
  PAGE_SIZE,
  type Scope,
  ZApiKeyDetail,
  ZApiKeyIdInput,
  ZApiKeyPage,
  ZApiKeySummary,
  ZCreateApiKeyInput,
  ZCreatedApiKey,
  ZListApiKeysQuery,
  ZRollApiKeyInput,
  ZRolledApiKey,
  ZUpdateApiKeyInput,
  ZUsageInput,
  ZUsageSeries,
  ZVerifyInput,
  ZVerifyResult,
} from "@keysmith/validators";

import { apiKeyUsage, createApiKey, deleteApiKey, getApiKey, listApiKeys, requireScope, revokeApiKey, rollApiKey, updateApiKey, verifyKey } from "@keysmith/core";
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

  /**
   * One page of the caller's keys (25 unless `limit` says otherwise, at most
   * 100), newest first unless `sort` says otherwise, narrowed by `search` and
   * `status`; `nextCursor` fetches the next page (useInfiniteQuery's cursor).
   */
  list: scoped("keys:read")
    .input(ZListApiKeysQuery.optional())
    .output(ZApiKeyPage)
    .query(({ ctx, input }) => listApiKeys({ principal: ctx.principal, query: { ...input, limit: input?.limit ?? PAGE_SIZE.default }, now: ctx.now() })),

  /** One of the caller's keys, with the key it replaced and the key that replaced it. */
  get: scoped("keys:read")
    .input(ZApiKeyIdInput)
    .output(ZApiKeyDetail)
    .query(({ ctx, input }) => getApiKey({ principal: ctx.principal, id: input.id, now: ctx.now() })),

  /** A key's verifications over time by outcome (minute, hour or day points); the last few seconds may not be counted yet. */
  usage: scoped("keys:read")
    .input(ZUsageInput)
    .output(ZUsageSeries)
    .query(({ ctx, input }) => {
      const { id, ...query } = input;
      return apiKeyUsage({ principal: ctx.principal, id, query, now: ctx.now() });
    }),

  /** Changes a key's name, description, expiry, rate limit, or narrows its scopes. */
  update: scoped("keys:write")
    .input(ZUpdateApiKeyInput)
    .output(ZApiKeySummary)
    .mutation(({ ctx, input }) => {
      const { id, ...fields } = input;
      return updateApiKey({ principal: ctx.principal, id, fields, now: ctx.now() });
    }),

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
