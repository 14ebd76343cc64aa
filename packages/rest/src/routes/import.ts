import { importApiKeys } from "@keysmith/core";
import { IMPORT_FIELD_NAMING, MAX_IMPORTED_KEYS, parseInput, ZImportApiKeysInput, ZImportedApiKeys } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/** 1,000 keys of a few hundred bytes each (name, description, key, limits) fit in 1 MiB; the default 16 KiB would not. */
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
      "else 403 when an API key calling would import any key stronger than itself (as when it creates one), else 409 when any key is already stored in Keysmith. " +
      "An `ak_` key with a valid checksum becomes an ordinary Keysmith key. Any other key, and every key imported by hash, is verified by its hash through " +
      "POST /api-keys/verify and apiKeys.verify only, and is never accepted as a Bearer credential for this API. " +
      "The answer lists each stored key in the order given, with its display prefix; never any key material beyond that.",
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
    const input = parseInput(ZImportApiKeysInput, await readBody(request, IMPORT_MAX_BYTES), IMPORT_FIELD_NAMING);
    return success(await importApiKeys({ principal, input, now }), IMPORTED, 201);
  },
};
