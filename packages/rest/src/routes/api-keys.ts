import { createApiKey, deleteApiKey, listApiKeys, revokeApiKey, rollApiKey, verifyKey } from "@keysmith/api";
import { type ApiKeyListItem, parseInput, ZApiKeyIdParam, ZCreateApiKeyInput, ZRollApiKeyInput, ZVerifyInput } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/** POST /api-keys: the documented create response; the key is shown this once. */
export const createApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys",
  auth: true,
  scope: "keys:write",
  async handle({ request, principal, now }) {
    const created = await createApiKey(principal, parseInput(ZCreateApiKeyInput, await readBody(request)), now);
    return success(created, "API key successfully created", 201);
  },
};

/** GET /api-keys: the documented list, newest first, with a non-secret prefix. */
export const listApiKeysRoute: Route = {
  method: "GET",
  path: "/api-keys",
  auth: true,
  scope: "keys:read",
  async handle({ principal }) {
    const keys = await listApiKeys(principal.user.id);
    const data: ApiKeyListItem[] = keys.map((key) => ({
      id: key.id,
      name: key.name,
      description: key.description,
      partial_key_data: key.partialKey,
    }));
    return success(data, "API keys successfully retrieved");
  },
};

/** DELETE /api-keys/{id}: `data: {}`; 400 for a non-integer id, 404 for an unknown one. */
export const deleteApiKeyRoute: Route = {
  method: "DELETE",
  path: "/api-keys/:id",
  auth: true,
  scope: "keys:write",
  async handle({ params, principal }) {
    await deleteApiKey(principal.user.id, parseInput(ZApiKeyIdParam, params.id));
    return success({}, "API key successfully deleted");
  },
};

/** POST /api-keys/{id}/revoke: the key stops working and stays listed as revoked. */
export const revokeApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys/:id/revoke",
  auth: true,
  scope: "keys:write",
  async handle({ params, principal, now }) {
    const revoked = await revokeApiKey(principal.user.id, parseInput(ZApiKeyIdParam, params.id), now);
    return success(
      { id: revoked.id, name: revoked.name, description: revoked.description, partial_key_data: revoked.partialKey, revoked_at: revoked.revokedAt },
      "API key successfully revoked",
    );
  },
};

/** POST /api-keys/{id}/roll, body `{grace_seconds}`: a new key; the old one works until the grace ends. */
export const rollApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys/:id/roll",
  auth: true,
  scope: "keys:write",
  async handle({ request, params, principal, now }) {
    const id = parseInput(ZApiKeyIdParam, params.id);
    const input = parseInput(ZRollApiKeyInput, { ...(await readBody(request)), id });
    const rolled = await rollApiKey(principal.user.id, id, input.grace_seconds, now);
    return success(rolled, "API key successfully rolled", 201);
  },
};

/** POST /api-keys/verify, body `{key, scopes?}`: 200 with a code saying whether and why not. */
export const verifyApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys/verify",
  auth: true,
  scope: "keys:verify",
  async handle({ request }) {
    const result = await verifyKey(parseInput(ZVerifyInput, await readBody(request, { maxBytes: 2 * 1024 * 1024 })));
    return success(result, result.valid ? "API key is valid" : `API key is not valid: ${result.code}`);
  },
};
