import { z } from "zod";

import { LIMITS } from "./limits.ts";

/** POST /api-keys, apiKeys.create and the dashboard form. */
export const ZCreateApiKeyInput = z.object({
  name: z
    .string({ error: (issue) => (issue.input === undefined ? "Name is required." : "Name must be text.") })
    .trim()
    .min(LIMITS.apiKeyName.min, "Name is required: give the key a name you will recognise.")
    .max(LIMITS.apiKeyName.max, `Name must be at most ${LIMITS.apiKeyName.max} characters.`),
  description: z
    .string({ error: "Description must be text." })
    .trim()
    .max(LIMITS.apiKeyDescription.max, `Description must be at most ${LIMITS.apiKeyDescription.max} characters.`)
    .nullish()
    // an empty description is no description
    .transform((value) => (value ? value : null)),
});
export type CreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;

const WHOLE = "The key id must be a whole number, like 5.";

/** A key id: a positive integer that fits the id column. */
export const ZApiKeyId = z
  .number({ error: WHOLE })
  .int(WHOLE)
  .positive("The key id must be a positive whole number.")
  .max(2_147_483_647, "No key has an id that large.");

export const ZApiKeyIdInput = z.object({ id: ZApiKeyId });

/** The `{id}` segment of DELETE /api-keys/{id}: digits only ("5", not "5.0" or "1e3"). */
export const ZApiKeyIdParam = z.string().regex(/^\d{1,10}$/, WHOLE).transform(Number).pipe(ZApiKeyId);

/** The documented create response `data`: the only place the key appears. */
export const ZCreatedApiKey = z.object({
  id: z.number().int(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
});
export type CreatedApiKey = z.infer<typeof ZCreatedApiKey>;

/** A key as its owner sees it in lists: never the key itself. */
export const ZApiKeySummary = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  /** The non-secret start of the key, e.g. "ak_W4KL…" */
  partialKey: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeySummary = z.infer<typeof ZApiKeySummary>;

/** The documented list item of GET /api-keys. */
export const ZApiKeyListItem = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  partial_key_data: z.string(),
});
export type ApiKeyListItem = z.infer<typeof ZApiKeyListItem>;
