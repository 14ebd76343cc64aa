import { z } from "zod";

import { type FieldErrors, type FieldNaming, parseInput, type StandardSchema } from "./errors.ts";
import { ZKeyLeak } from "./key-leaks.ts";
import { instantField } from "./instant.ts";
import { ZKeyStatus } from "./key-status.ts";
import { LIMITS } from "./limits.ts";
import { textField } from "./text.ts";

/** What a key may do. Sessions and access tokens may do everything. */
export const SCOPES = ["keys:read", "keys:write", "keys:verify"] as const;
export const ZScope = z.enum(SCOPES, { error: `Unknown scope: use ${SCOPES.join(", ")}.` });
export type Scope = z.infer<typeof ZScope>;

const SCOPE_LIST_ERROR = "scopes must be a list, like [\"keys:read\"].";
const SCOPE_LIST = z.array(ZScope, { error: SCOPE_LIST_ERROR });

/**
 * Scopes as a list, or as text: form data sends "keys:read,keys:write" or
 * "keys:read keys:write", and JSON may too. Typed as a list or text (not
 * `unknown`, as a preprocess would make it) for tRPC's callers; each item is
 * checked after, so an unknown scope is named as such.
 */
function scopesOrText() {
  return z
    .union([z.array(z.unknown()), z.string()], { error: SCOPE_LIST_ERROR })
    .transform((value) => (typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value));
}

/** A list of scopes, at least one (`empty` says what to do instead), as a list or as text. */
export function scopeList(empty: string) {
  return scopesOrText().pipe(SCOPE_LIST.min(1, empty));
}

/** A whole number, or its digits as form data sends them, checked by `number` (whose messages name the field). */
function wholeNumberOrDigits(number: z.ZodNumber, error: string) {
  return z.union([z.number(), z.string().regex(/^-?\d+$/, error).transform(Number)], { error }).pipe(number);
}

const ZScopeList = scopeList("Give at least one scope, or leave scopes out for all of them.");

// a textarea: tabs and line breaks are the person's
export const ZDescription = textField("Description", { lines: true }).max(
  LIMITS.apiKeyDescription.max,
  `Description must be at most ${LIMITS.apiKeyDescription.max} characters.`,
);

/**
 * A rate limit: a whole number in LIMITS, or null/"" for none; `noLimit` says
 * how to ask for none, which differs between create and update.
 */
export function rateLimitField(noLimit: string) {
  return z.preprocess(
    (value) => (value === "" ? null : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: "rate_limit_per_minute must be a whole number, like 600." })
      .int("rate_limit_per_minute must be a whole number, like 600.")
      .min(LIMITS.rateLimitPerMinute.min, `rate_limit_per_minute must be at least 1; ${noLimit}.`)
      .max(LIMITS.rateLimitPerMinute.max, `rate_limit_per_minute can be at most ${LIMITS.rateLimitPerMinute.max}.`)
      .nullish(),
  );
}

/** A whole number of credits from `min` to LIMITS.credits.max; digits as form data sends them. */
function creditsNumber(field: string, min: number, below: string) {
  const whole = `${field} must be a whole number, like 1000.`;
  return z.preprocess(
    (value) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: whole })
      .int(whole)
      .min(min, `${field} must be at least ${min}; ${below}.`)
      .max(LIMITS.credits.max, `${field} can be at most ${LIMITS.credits.max.toLocaleString("en")}.`),
  );
}

/** A key's credits, or null/"" for unlimited; `noLimit` says how to ask for that. */
export function creditsField(noLimit: string) {
  return z.preprocess((value) => (value === "" ? null : value), creditsNumber("remaining", LIMITS.credits.min, noLimit).nullish());
}

export const REFILL_INTERVALS = ["day", "month"] as const;

/** Credits put back at the start of each UTC day or month (set, not added: unused credits do not pile up). */
export const ZRefill = z.object(
  {
    amount: creditsNumber("refill.amount", 1, "to stop refilling, send refill: null"),
    interval: z.enum(REFILL_INTERVALS, { error: "refill.interval must be \"day\" or \"month\"." }),
  },
  { error: 'refill must be an object like {"amount": 1000, "interval": "month"}, or null for none.' },
);
export type Refill = z.infer<typeof ZRefill>;

const NEEDS_CREDITS = "A refill needs credits to refill: set remaining too.";

/** POST /api-keys, apiKeys.create and the dashboard form. */
export const ZCreateApiKeyInput = z.object({
  name: textField("Name", { label: true })
    .min(LIMITS.apiKeyName.min, "Name is required: give the key a name you will recognise.")
    .max(LIMITS.apiKeyName.max, `Name must be at most ${LIMITS.apiKeyName.max} characters.`),
  description: ZDescription
    .nullish()
    // an empty description is no description
    .transform((value) => (value ? value : null)),
  /** When the key stops working; absent or empty: never (the documented default). */
  expires_at: z.preprocess(
    (value) => (value === "" ? null : value),
    instantField("expires_at").nullish(),
  ),
  /** What the key may do; absent: everything. */
  scopes: ZScopeList.optional(),
  /** Verifications allowed per minute, across all instances; absent: unlimited. */
  rate_limit_per_minute: rateLimitField("leave it out for no limit"),
  /** Credits: VALID verifications left (each spends its cost); absent: unlimited. */
  remaining: creditsField("leave it out for unlimited use"),
  /** Puts the credits back to `amount` each day or month; needs `remaining`. */
  refill: ZRefill.nullish(),
}).refine((input) => !input.refill || (input.remaining !== null && input.remaining !== undefined), { error: NEEDS_CREDITS, path: ["refill"] });
export type CreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;
export type ParsedCreateApiKeyInput = z.output<typeof ZCreateApiKeyInput>;

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
  scopes: z.array(ZScope),
  rateLimitPerMinute: z.number().int().nullable(),
  /** Credits left; null: unlimited. */
  remaining: z.number().int().nullable(),
  refill: ZRefill.nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  /** Where the key stands at the time of the answer. */
  status: ZKeyStatus,
  /** The key this one replaced by a roll, if any. */
  replacesId: z.number().int().nullable(),
  /** Set when the key was revoked because it was found in public. */
  leak: ZKeyLeak.nullable(),
  /** Imported in another format or by hash (or rolled from such a key): verified through the verify route, never a credential for Keysmith's own API. */
  foreign: z.boolean(),
});
export type ApiKeySummary = z.infer<typeof ZApiKeySummary>;

/** Roll: a new key with the same name, description and scopes; the old one keeps working for `grace_seconds`. */
export const ZRollApiKeyInput = z.object({
  id: ZApiKeyId,
  grace_seconds: wholeNumberOrDigits(
    z
      .number({ error: "grace_seconds must be a whole number of seconds, like 3600." })
      .int("grace_seconds must be a whole number of seconds.")
      .min(0, "grace_seconds cannot be negative; 0 revokes the old key at once.")
      .max(30 * 24 * 60 * 60, "grace_seconds can be at most 30 days (2592000)."),
    "grace_seconds must be a whole number of seconds, like 3600.",
  ).default(0),
});

export const ZRolledApiKey = z.object({
  id: z.number().int(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  scopes: z.array(ZScope),
  expires_at: z.iso.datetime().nullable(),
  rate_limit_per_minute: z.number().int().nullable(),
  /** The key it replaces, and when that one stops (or stopped) working. */
  replaces: z.object({ id: z.number().int(), revoked_at: z.iso.datetime() }),
});
export type RolledApiKey = z.infer<typeof ZRolledApiKey>;

/** The documented list item of GET /api-keys. */
export const ZApiKeyListItem = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  partial_key_data: z.string(),
});
export type ApiKeyListItem = z.infer<typeof ZApiKeyListItem>;

export type VerifyInput = z.output<typeof ZVerifyInput>;

export const ZVerifyCode = z.enum(["VALID", "MALFORMED", "NOT_FOUND", "EXPIRED", "REVOKED", "INSUFFICIENT_SCOPE", "RATE_LIMITED", "USAGE_EXCEEDED"]);
export type VerifyCode = z.infer<typeof ZVerifyCode>;

/** POST /api-keys/verify and apiKeys.verify. `scopes`: what the key must allow. */
export const ZVerifyInput = z.object({
  // no length limit here: a key of any length gets the MALFORMED code, not a 400;
  // but text no key could hold (NUL, a lone surrogate) is bad input, named as such
  key: textField("key", { trim: false }),
  // none, or an empty list: the key need allow nothing in particular
  scopes: scopesOrText().pipe(SCOPE_LIST).optional(),
  /** Credits this verification spends when the key has credits; 0 checks without spending. */
  cost: wholeNumberOrDigits(
    z
      .number({ error: "cost must be a whole number, like 1." })
      .int("cost must be a whole number, like 1.")
      .min(LIMITS.verifyCost.min, "cost cannot be negative; 0 checks the key without spending credits.")
      .max(LIMITS.verifyCost.max, `cost can be at most ${LIMITS.verifyCost.max}.`),
    "cost must be a whole number, like 1.",
  ).default(1),
});

export const ZVerifyResult = z.object({
  valid: z.boolean(),
  code: ZVerifyCode,
  id: z.number().int().nullable(),
  name: z.string().nullable(),
  owner_id: z.number().int().nullable(),
  expires_at: z.iso.datetime().nullable(),
  scopes: z.array(ZScope).nullable(),
  /** The key's credits left after this verification; null: unlimited (or no such key). */
  remaining: z.number().int().nullable(),
  /** With RATE_LIMITED: seconds until the key would be admitted again (the REST route also sends it as Retry-After); null otherwise. */
  retry_after_seconds: z.number().int().positive().nullable(),
});
export type VerifyResult = z.infer<typeof ZVerifyResult>;

/** GET and PATCH /api-keys/{id}: one key as REST shows it (snake_case, like the documented list). */
export const ZApiKeyRestDetail = ZApiKeyListItem.extend({
  scopes: z.array(ZScope),
  rate_limit_per_minute: z.number().int().nullable(),
  remaining: z.number().int().nullable(),
  refill: ZRefill.nullable(),
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
  expires_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  status: ZKeyStatus,
  /** The key this one replaced by a roll, if any. */
  replaces_id: z.number().int().nullable(),
  /** Set when the key was revoked because it was found in public: where, and how Keysmith learned of it. */
  leak: ZKeyLeak.nullable(),
  foreign: z
    .boolean()
    .describe("True for a key imported in another format or by its hash, or rolled from one: it verifies through POST /api-keys/verify, but is never a Bearer credential for Keysmith's own API."),
});
export type ApiKeyRestDetail = z.infer<typeof ZApiKeyRestDetail>;

/** apiKeys.acknowledgeLeaks: the leaked keys whose banner the owner dismisses. */
export const ZAcknowledgeLeaksInput = z.object({
  ids: z.array(ZApiKeyId).min(1, "ids must list at least one key.").max(1_000, "ids can list at most 1000 keys."),
});
export const ZAcknowledgedLeaks = z.object({ acknowledged: z.number().int().describe("How many banners were dismissed (keys already dismissed, or not the caller's, are not counted).") });

/** At most this many keys per import (POST /api-keys/import, apiKeys.import). */
export const MAX_IMPORTED_KEYS = 1_000;

/**
 * An imported key's plaintext: at least 16 characters (a shorter key could
 * be guessed), at most 512 (longer than any key). Verification looks up only
 * values within these lengths among imported keys of another format. Both
 * count UTF-16 code units (JavaScript's `length`, an emoji 2), as verification
 * does, so every key that imports can be verified.
 */
export const IMPORTED_KEY_LENGTH = { min: 16, max: 512 } as const;

// zod's .min/.max count code points (an emoji 1), verification UTF-16 units: the refinements count as verification does
const ZImportedKey = textField("key", { trim: false })
  .refine((key) => key === key.trim(), {
    error: "key starts or ends with spaces: remove the spaces around it. The key is stored exactly as sent, and with them it would never match the real one.",
    abort: true,
  })
  .refine((key) => key.length >= IMPORTED_KEY_LENGTH.min, { error: `key must be at least ${IMPORTED_KEY_LENGTH.min} characters: a shorter key could be guessed.`, abort: true })
  .refine((key) => key.length <= IMPORTED_KEY_LENGTH.max, {
    error: `key can be at most ${IMPORTED_KEY_LENGTH.max} characters, counted in UTF-16 code units as JavaScript counts them (an emoji is 2).`,
  });

const HASH_FORM = "key_hash must be the key's SHA-256 (of its UTF-8 bytes) as 64 lowercase hex characters.";
/** SHA-256 of a key's UTF-8 bytes, as 64 lowercase hex characters. */
export const ZKeyHashHex = z.string({ error: HASH_FORM }).regex(/^[0-9a-f]{64}$/, HASH_FORM);

/**
 * One key to import: the create fields (name, description, scopes,
 * expires_at, rate_limit_per_minute, remaining, refill, with their rules and
 * defaults) and exactly one of `key` (the plaintext, hashed on arrival) and
 * `key_hash` (its SHA-256).
 */
export const ZImportApiKeyItem = z
  .object(
    {
      ...ZCreateApiKeyInput.shape,
      key: ZImportedKey.optional().describe("The key itself (16 to 512 characters, counted in UTF-16 code units, with no spaces around it); Keysmith stores only its SHA-256. Give this or key_hash."),
      key_hash: ZKeyHashHex.optional().describe("The key's SHA-256, of its UTF-8 bytes, as 64 lowercase hex characters, when you do not have the key itself. Give this or key."),
    },
    { error: 'Each item of keys must be an object like {"key": "sk_live_…", "name": "production"}.' },
  )
  // the create schema's own rules across fields (a refill needs credits), as they are: written for
  // create's output, which an item's output extends (zod types a schema's stored checks as never)
  .check(...((ZCreateApiKeyInput.def.checks ?? []) as z.core.$ZodCheck<ParsedCreateApiKeyInput>[]))
  .check((ctx) => {
    const { key, key_hash } = ctx.value;
    if (key !== undefined && key_hash !== undefined) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: "Give either key or key_hash, not both." });
    } else if (key === undefined && key_hash === undefined) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: "Give the key itself (key) or its SHA-256 (key_hash)." });
    }
  });
export type ImportApiKeyItem = z.input<typeof ZImportApiKeyItem>;
export type ParsedImportApiKeyItem = z.output<typeof ZImportApiKeyItem>;

const KEYS_LIST = 'keys must be a list of keys to import, like [{"key": "sk_live_…", "name": "production"}].';
const keysList = <T extends z.ZodType>(item: T) =>
  z
    .array(item, { error: KEYS_LIST })
    .min(1, "keys must list at least one key.")
    .max(MAX_IMPORTED_KEYS, `keys can list at most ${MAX_IMPORTED_KEYS} keys per call; split the import into several calls.`);

/** POST /api-keys/import and apiKeys.import: up to MAX_IMPORTED_KEYS existing keys, all stored or none. */
export const ZImportApiKeysInput = z.object({ keys: keysList(ZImportApiKeyItem) });
export type ImportApiKeysInput = z.input<typeof ZImportApiKeysInput>;
export type ParsedImportApiKeysInput = z.output<typeof ZImportApiKeysInput>;

/** An import's failures name each item: `keys[3].name`, `keys[7]`. */
export const IMPORT_FIELD_NAMING: FieldNaming = { itemLists: ["keys"] };

/**
 * An item the schema refused, with those of the fields checked beyond the
 * schema (an expiry already past, an `ak_` key's checksum, the same key twice
 * in a call) that passed on their own: they are still checked, so one answer
 * names everything wrong with the call.
 */
export interface RefusedImportApiKeyItem {
  refused: true;
  key?: string | undefined;
  key_hash?: string | undefined;
  expires_at?: Date | null | undefined;
}

/**
 * An import's input judged item by item: each item as parsed, or refused
 * with the schema's reasons in `invalid` (`keys[3].name`, `keys[7]`).
 * `ParsedImportApiKeysInput` is one whose items all passed.
 */
export interface JudgedImportApiKeysInput {
  keys: (ParsedImportApiKeyItem | RefusedImportApiKeyItem)[];
  invalid: FieldErrors;
}

export function isRefusedImportItem(item: ParsedImportApiKeyItem | RefusedImportApiKeyItem): item is RefusedImportApiKeyItem {
  return "refused" in item;
}

const ZImportList = z.object({ keys: keysList(z.unknown()) });

/** `schema`'s output for `value`, or undefined when it fails. */
function passing<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * Parses an import's input item by item, as ZImportApiKeysInput would, but
 * without stopping at failing items: they are named in `invalid` and kept as
 * refused items (see RefusedImportApiKeyItem). A body that is no list of 1 to
 * MAX_IMPORTED_KEYS items is refused at once (BAD_REQUEST naming `keys`).
 */
export function judgeImportApiKeysInput(value: unknown): JudgedImportApiKeysInput {
  const { keys } = parseInput(ZImportList, value, IMPORT_FIELD_NAMING);
  const invalid: FieldErrors = {};
  const judged = keys.map((raw, index): ParsedImportApiKeyItem | RefusedImportApiKeyItem => {
    const result = ZImportApiKeyItem.safeParse(raw);
    if (result.success) return result.data;
    // named as validationError names an item of IMPORT_FIELD_NAMING's lists
    for (const issue of result.error.issues) {
      const field = issue.path[0] === undefined ? `keys[${index}]` : `keys[${index}].${String(issue.path[0])}`;
      (invalid[field] ??= []).push(issue.message);
    }
    const fields: Record<string, unknown> = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    return {
      refused: true,
      key: passing(ZImportedKey.optional(), fields.key),
      key_hash: passing(ZKeyHashHex.optional(), fields.key_hash),
      expires_at: passing(ZCreateApiKeyInput.shape.expires_at, fields.expires_at),
    };
  });
  return { keys: judged, invalid };
}

/**
 * apiKeys.import's input: judged item by item (judgeImportApiKeysInput), so
 * the procedure can name every failing item at once, as REST does. Typed
 * clients see ZImportApiKeysInput's input type.
 */
export const importApiKeysParser: StandardSchema<ImportApiKeysInput, JudgedImportApiKeysInput> = {
  "~standard": {
    version: 1,
    vendor: "keysmith",
    validate: (value) => ({ value: judgeImportApiKeysInput(value) }),
  },
};

/** What an import answers: each key stored, in the order given; never any key material beyond the display prefix. */
export const ZImportedApiKeys = z.object({
  imported: z.number().int().describe("How many keys were stored: all of them."),
  keys: z
    .array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        prefix: z.string().describe('What lists show of the key, before their "…": "ak_W4KL", "sk_live", "sk_", or "#" and 6 hex digits of the hash for a key imported by hash.'),
      }),
    )
    .describe("The stored keys, in the order they were given."),
});
export type ImportedApiKeys = z.infer<typeof ZImportedApiKeys>;
