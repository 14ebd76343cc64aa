import { z } from "zod";

import { creditsField, rateLimitField, scopeList, ZApiKeyId, ZApiKeySummary, ZCreateApiKeyInput, ZDescription, ZRefill } from "./api-keys.ts";

const create = ZCreateApiKeyInput.shape;

/**
 * PATCH /api-keys/{id} and apiKeys.update: the fields to change, at least
 * one. `description`, `expires_at`, `rate_limit_per_minute`, `remaining` and
 * `refill` take null (or "") to clear them. `scopes` may only narrow what the key already has.
 */
export const ZUpdateApiKeyFields = z
  .object({
    name: create.name.optional(),
    // absent: unchanged (create's version turns absent into null)
    description: z.preprocess((value) => (value === "" ? null : value), ZDescription.nullable().optional()),
    expires_at: create.expires_at,
    rate_limit_per_minute: rateLimitField("send null for no limit"),
    // sets the credits left (a top-up is a new number); null: unlimited
    remaining: creditsField("send null for unlimited use"),
    refill: ZRefill.nullish(),
    // leaving scopes out of an update keeps them, so create's "leave scopes out for all of them" would mislead
    scopes: scopeList("A key needs at least one scope; to stop a key working, revoke it.").optional(),
  })
  // absent keys of an object are undefined at run time, whatever the static type says
  .refine((fields) => Object.values(fields as Record<string, unknown>).some((value) => value !== undefined), {
    error: "Give at least one field to change: name, description, expires_at, rate_limit_per_minute, remaining, refill or scopes.",
  });
export type UpdateApiKeyFields = z.input<typeof ZUpdateApiKeyFields>;
export type ParsedUpdateApiKeyFields = z.output<typeof ZUpdateApiKeyFields>;

export const ZUpdateApiKeyInput = z.object({ id: ZApiKeyId }).and(ZUpdateApiKeyFields);

/** A key's neighbour in its roll lineage. */
const ZLineageLink = ZApiKeySummary.pick({ id: true, name: true, partialKey: true, status: true }).nullable();

/** apiKeys.get: a key with the key it replaced and the key that replaced it. */
export const ZApiKeyDetail = ZApiKeySummary.extend({
  rolledAt: z.iso.datetime().nullable(),
  replaces: ZLineageLink,
  replacedBy: ZLineageLink,
});
export type ApiKeyDetail = z.infer<typeof ZApiKeyDetail>;
