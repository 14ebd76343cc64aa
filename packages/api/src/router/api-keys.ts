import { type TRPCRouterRecord } from "@trpc/server";
import {
  PAGE_SIZE,
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
  ZAccountUsage,
  ZAccountUsageQuery,
  ZUsageInput,
  ZUsageSeries,
  ZVerifyInput,
  ZVerifyResult,
  ZAcknowledgeLeaksInput,
  ZAcknowledgedLeaks,
  importApiKeysParser,
  ZImportedApiKeys,
} from "@keysmith/validators";

import {
  accountUsage,
  acknowledgeLeaks,
  apiKeyUsage,
  createApiKey,
  deleteApiKey,
  getApiKey,
  importApiKeys,
  listApiKeys,
  listUnacknowledgedLeaks,
  revokeApiKey,
  rollApiKey,
  updateApiKey,
  verifyKey,
} from "@keysmith/core";
import { scopedProcedure } from "../trpc.ts";

export const apiKeysRouter = {
  /** Issues a key; the response is the only time its value is shown. */
  create: scopedProcedure("keys:write")
    .input(ZCreateApiKeyInput)
    .output(ZCreatedApiKey)
    .mutation(({ ctx, input }) => createApiKey({ principal: ctx.principal, input, now: ctx.now() })),

  /**
   * One page of the caller's keys (25 unless `limit` says otherwise, at most
   * 100), newest first unless `sort` says otherwise, narrowed by `search` and
   * `status`; `nextCursor` fetches the next page (useInfiniteQuery's cursor).
   */
  list: scopedProcedure("keys:read")
    .input(ZListApiKeysQuery.optional())
    .output(ZApiKeyPage)
    .query(({ ctx, input }) => listApiKeys({ principal: ctx.principal, query: { ...input, limit: input?.limit ?? PAGE_SIZE.default }, now: ctx.now() })),

  /** One of the caller's keys, with the key it replaced and the key that replaced it. */
  get: scopedProcedure("keys:read")
    .input(ZApiKeyIdInput)
    .output(ZApiKeyDetail)
    .query(({ ctx, input }) => getApiKey({ principal: ctx.principal, id: input.id, now: ctx.now() })),

  /** A key's verifications over time by outcome (minute, hour or day points); the last few seconds may not be counted yet. */
  usage: scopedProcedure("keys:read")
    .input(ZUsageInput)
    .output(ZUsageSeries)
    .query(({ ctx, input }) => {
      const { id, ...query } = input;
      return apiKeyUsage({ principal: ctx.principal, id, query, now: ctx.now() });
    }),

  /** All the caller's keys' verifications over time by outcome, and per-point totals for the keys named in `key_ids` (sparklines). */
  usageSummary: scopedProcedure("keys:read")
    .input(ZAccountUsageQuery.optional())
    .output(ZAccountUsage)
    .query(({ ctx, input }) => accountUsage({ principal: ctx.principal, query: input ?? {}, now: ctx.now() })),

  /** Changes a key's name, description, expiry, rate limit, or narrows its scopes. */
  update: scopedProcedure("keys:write")
    .input(ZUpdateApiKeyInput)
    .output(ZApiKeySummary)
    .mutation(({ ctx, input }) => {
      const { id, ...fields } = input;
      return updateApiKey({ principal: ctx.principal, id, fields, now: ctx.now() });
    }),

  /** Deletes one of the caller's keys; it stops working at once. */
  delete: scopedProcedure("keys:write")
    .input(ZApiKeyIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteApiKey({ principal: ctx.principal, id: input.id, now: ctx.now() });
      return { deleted: true as const };
    }),

  /** Stops a key working and keeps it listed as revoked. */
  revoke: scopedProcedure("keys:write")
    .input(ZApiKeyIdInput)
    .output(ZApiKeySummary)
    .mutation(({ ctx, input }) => revokeApiKey({ principal: ctx.principal, id: input.id, now: ctx.now() })),

  /** A new key for an old one, which keeps working for `grace_seconds`. */
  roll: scopedProcedure("keys:write")
    .input(ZRollApiKeyInput)
    .output(ZRolledApiKey)
    .mutation(({ ctx, input }) => rollApiKey({ principal: ctx.principal, id: input.id, graceSeconds: input.grace_seconds, now: ctx.now() })),

  /**
   * Stores up to 1,000 existing keys (each its plaintext or SHA-256), all or
   * none; `fieldErrors` name each failing item (`keys[3].name`), every one
   * at once: the input is judged item by item (importApiKeysParser) and
   * core checks the rest before answering. Bodies of up to 1 MiB are
   * accepted for this procedure alone.
   */
  import: scopedProcedure("keys:write")
    .input(importApiKeysParser)
    .output(ZImportedApiKeys)
    .mutation(({ ctx, input }) => importApiKeys({ principal: ctx.principal, input, now: ctx.now() })),

  /** Says whether a key is valid and, if not, why. */
  verify: scopedProcedure("keys:verify")
    .input(ZVerifyInput)
    .output(ZVerifyResult)
    .mutation(async ({ ctx, input }) => (await verifyKey({ principal: ctx.principal, input })).result),

  /** The caller's keys revoked as leaked (found in public) whose banner they have not dismissed, newest first, at most 100. */
  leaks: scopedProcedure("keys:read")
    .output(ZApiKeySummary.array())
    .query(({ ctx }) => listUnacknowledgedLeaks({ principal: ctx.principal, now: ctx.now() })),

  /** Dismisses the dashboard's banner for these leaked keys (they stay revoked, and marked leaked). */
  acknowledgeLeaks: scopedProcedure("keys:write")
    .input(ZAcknowledgeLeaksInput)
    .output(ZAcknowledgedLeaks)
    .mutation(async ({ ctx, input }) => ({ acknowledged: await acknowledgeLeaks({ principal: ctx.principal, ids: input.ids, now: ctx.now() }) })),
} satisfies TRPCRouterRecord;
