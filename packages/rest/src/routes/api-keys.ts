import { createApiKey, deleteApiKey, listApiKeys } from "@keysmith/api";
import { type ApiKeyListItem, parseInput, ZApiKeyIdParam } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/** POST /api-keys: the documented create response; the key is shown this once. */
export const createApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys",
  auth: true,
  async handle({ request, principal }) {
    const created = await createApiKey(principal.user.id, await readBody(request));
    return success(created, "API key successfully created", 201);
  },
};

/** GET /api-keys: the documented list, newest first, with a non-secret prefix. */
export const listApiKeysRoute: Route = {
  method: "GET",
  path: "/api-keys",
  auth: true,
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
  async handle({ params, principal }) {
    await deleteApiKey(principal.user.id, parseInput(ZApiKeyIdParam, params.id));
    return success({}, "API key successfully deleted");
  },
};
