import { importApiKeys } from "@keysmith/core";
import { judgeImportApiKeysInput, MAX_IMPORTED_KEYS, ZImportApiKeysInput, ZImportedApiKeys } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/**
 * 1 MiB: 1,000 keys of up to about 1 KiB of JSON each. A typical item (a
 * 40-character key, a name, a short description, scopes and a limit) is about
 * 250 bytes, so 1,000 take a quarter of it; an item at every limit at once (a
 * 512-character key, a 64-character name, a 500-character description, every
 * field) is about 1.3 KB, more for text outside ASCII, so only about 800 of
 * those fit in one call (more is 413: split them). The default 16 KiB would
 * hold about 60 typical items.
 */
const IMPORT_MAX_BYTES = 1024 * 1024;

const IMPORTED = "API keys successfully imported";

/** POST /api-keys/import: existing keys from another system, all stored or none. */
export const importApiKeysRoute: Route = {
  method: "POST",
  path: "/api-keys/import",
  auth: true,
  scope: "keys:write",
  doc: {
    summary: "Import existing API keys",
    description:
      `Stores up to ${MAX_IMPORTED_KEYS} existing keys in one call, each given as the key itself (\`key\`, hashed with SHA-256 on arrival) or as its SHA-256 ` +
      "(`key_hash`: of the key's UTF-8 bytes, 64 lowercase hex characters), exactly one of the two, with the fields of a created key " +
      "(`name`, `description`, `scopes`, `expires_at`, `rate_limit_per_minute`, `remaining`, `refill`; the same rules and defaults). " +
      "All or nothing: if any item fails, none is stored, and `errors` names each failing item (`keys[3].name`, `keys[7]`). One status per call: " +
      "400 when any item is bad input (including an expiry in the past, an `ak_` key whose checksum fails, or the same key twice in the call), " +
      "else 403 when an API key calling would import any key stronger than itself (as when it creates one), or keys whose credits (`remaining`), " +
      "refills or rate limits add up to more than its own (named `keys`), else 409 when any key is already stored in Keysmith. " +
      "A `key` is stored exactly as given: one with spaces around it is refused. Each imported key's audit history starts with a `key.imported` event. " +
      "An `ak_` key with a valid checksum becomes an ordinary Keysmith key. Any other key, and every key imported by hash, is verified by its hash through " +
      "POST /api-keys/verify and apiKeys.verify only, and is never accepted as a Bearer credential for this API. " +
      "The answer lists each stored key in the order given, with its display prefix; never any key material beyond that. " +
      "The body is JSON only (anything else is 415), of at most 1 MiB (413): enough for 1,000 typical items (about 250 bytes each), " +
      "but not for 1,000 items at every limit at once (about 1.3 KB each: split those into calls of about 800).",
    body: ZImportApiKeysInput,
    jsonOnly: true,
    data: ZImportedApiKeys,
    status: 201,
    message: IMPORTED,
    maxBodyBytes: IMPORT_MAX_BYTES,
    errors: [400, 401, 403, 409, 413, 415, 429],
    errorExamples: {
      400: {
        message: "No key was imported: 2 of 50 cannot be imported as given. keys[3].name: Name is required.",
        errors: { "keys[3].name": ["Name is required."], "keys[7]": ["Give either key or key_hash, not both."] },
      },
      409: {
        message: "No key was imported: 1 of 50 is already stored in Keysmith. keys[7]: This key is already stored in Keysmith.",
        errors: { "keys[7]": ["This key is already stored in Keysmith."] },
      },
    },
    requestExample: {
      keys: [
        { key: "acme_live_7Hq2LyjWDa3rjtT1zdp7dcT3BlbkFJx9", name: "production", scopes: ["keys:verify"], rate_limit_per_minute: 600 },
        { key_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", name: "staging", expires_at: "2027-06-30T00:00:00Z" },
      ],
    },
    responseExample: {
      data: { imported: 2, keys: [{ id: 41, name: "production", prefix: "acme_li" }, { id: 42, name: "staging", prefix: "#9f86d0" }] },
      message: IMPORTED,
      status: "success",
    },
  },
  async handle({ request, principal, now }) {
    // judged item by item, so the 400 names every failing item and why, the checks beyond the schema included
    const input = judgeImportApiKeysInput(await readBody(request, IMPORT_MAX_BYTES, { jsonOnly: true }));
    return success(await importApiKeys({ principal, input, now }), IMPORTED, 201);
  },
};
