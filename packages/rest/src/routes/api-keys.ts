import { isRepeatedResult, type Principal, type Verification } from "@keysmith/auth";
import { apiKeyUsage, createApiKey, deleteApiKey, getApiKey, listApiKeys, revokeApiKey, rollApiKey, updateApiKey, verifyKey } from "@keysmith/core";
import {
  type ApiKeyListItem,
  type ApiKeyRestDetail,
  type ApiKeySummary,
  type VerifyCode,
  parseInput,
  ZApiKeyIdParam,
  ZApiKeyListItem,
  ZApiKeyRestDetail,
  ZCreateApiKeyInput,
  ZCreatedApiKey,
  ZListApiKeysQuery,
  ZRollApiKeyInput,
  ZRolledApiKey,
  ZUpdateApiKeyFields,
  ZUsageQuery,
  ZUsageSeries,
  ZVerifyCode,
  ZVerifyInput,
  ZVerifyResult,
  type VerifyResult,
} from "@keysmith/validators";
import { z } from "zod";

import { type RestAnswer } from "../answer.ts";
import { success, successBody, withBody } from "../envelope.ts";
import { rateLimitHeaders } from "../rate-limit-headers.ts";
import { withNextLink } from "../next-link.ts";
import { readBody } from "../read-body.ts";
import { queryOf } from "../query.ts";
import { type Route } from "../route.ts";

/** POST /api-keys: the documented create response; the key is shown this once. */
export const createApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys",
  auth: true,
  scope: "keys:write",
  doc: {
    summary: "Create an API key",
    description: "The key's value is in this response only: it cannot be retrieved again.",
    body: ZCreateApiKeyInput,
    data: ZCreatedApiKey,
    status: 201,
    message: "API key successfully created",
    errors: [400, 401, 403, 413, 415, 429],
    requestExample: { name: "test-api-key", description: "This is a test API key" },
    responseExample: {
      data: { id: 5, key: "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0", name: "test-api-key", description: "This is a test API key" },
      message: "API key successfully created",
      status: "success",
    },
  },
  async handle({ request, principal, now }) {
    const created = await createApiKey({ principal, input: parseInput(ZCreateApiKeyInput, await readBody(request)), now });
    return success(created, "API key successfully created", 201);
  },
};

const listItem = (key: ApiKeySummary): ApiKeyListItem => ({ id: key.id, name: key.name, description: key.description, partial_key_data: key.partialKey });

const restDetail = (key: ApiKeySummary): ApiKeyRestDetail => ({
  ...listItem(key),
  scopes: key.scopes,
  rate_limit_per_minute: key.rateLimitPerMinute,
  remaining: key.remaining,
  refill: key.refill,
  created_at: key.createdAt,
  last_used_at: key.lastUsedAt,
  expires_at: key.expiresAt,
  revoked_at: key.revokedAt,
  status: key.status,
  replaces_id: key.replacesId,
  leak: key.leak,
  foreign: key.foreign,
});

/**
 * GET /api-keys: the documented list, newest first, with a non-secret prefix.
 * Optional query parameters narrow and page it; without them the answer is
 * exactly the documented one (every key). A page that is not the last names
 * the next in a Link header (RFC 8288), so `data` keeps its documented shape.
 */
export const listApiKeysRoute: Route = {
  method: "GET",
  path: "/api-keys",
  auth: true,
  scope: "keys:read",
  doc: {
    summary: "List API keys",
    description:
      "The caller's keys, newest first. `partial_key_data` is a non-secret prefix for telling keys apart. " +
      "Without query parameters every key is listed. `search`, `status` and `sort` narrow and order the list; " +
      "`limit` pages it, and while more keys follow, the answer carries `Link: </api/v1/api-keys?limit=…&cursor=…>; rel=\"next\"`: " +
      "follow it until a page comes without one.",
    query: ZListApiKeysQuery,
    queryExamples: { search: "production", status: "active", sort: "last_used", limit: "25", cursor: "eyJzb3J0IjoibmV3ZXN0IiwiYXQiOiIyMDI2LTExLTI5VDA5OjQ1OjAwLjAwMFoiLCJpZCI6NDJ9" },
    headers: { Link: 'The next page, when there is one: `<…?cursor=…>; rel="next"` (RFC 8288).' },
    data: z.array(ZApiKeyListItem),
    status: 200,
    message: "API keys successfully retrieved",
    errors: [400, 401, 403, 429],
    errorExamples: {
      400: { message: "limit must be a whole number from 1 to 100.", errors: { limit: ["limit must be a whole number from 1 to 100."] } },
    },
    responseExample: {
      data: [
        { id: 5, name: "api-test-key", description: "This is the test API key", partial_key_data: "ak_W4KL…" },
        { id: 6, name: "another-key", description: null, partial_key_data: "ak_9xQe…" },
      ],
      message: "API keys successfully retrieved",
      status: "success",
    },
  },
  async handle({ request, principal, now }) {
    const url = new URL(request.url);
    const query = parseInput(ZListApiKeysQuery, queryOf(url));
    const page = await listApiKeys({ principal, query, now });
    return withNextLink(success(page.items.map(listItem), "API keys successfully retrieved"), url, page.nextCursor);
  },
};

/** GET /api-keys/{id}: one key, everything but its value. */
export const getApiKeyRoute: Route = {
  method: "GET",
  path: "/api-keys/:id",
  auth: true,
  scope: "keys:read",
  doc: {
    summary: "Get an API key",
    description: "One of the caller's keys, with its scopes, limits, dates and status; never its value. Another user's key id answers 404, like a missing one.",
    data: ZApiKeyRestDetail,
    status: 200,
    message: "API key successfully retrieved",
    errors: [400, 401, 403, 404, 429],
  },
  async handle({ params, principal, now }) {
    const key = await getApiKey({ principal, id: parseInput(ZApiKeyIdParam, params.id), now });
    return success(restDetail(key), "API key successfully retrieved");
  },
};

/** GET /api-keys/{id}/usage: the key's verifications over time, by outcome. */
export const apiKeyUsageRoute: Route = {
  method: "GET",
  path: "/api-keys/:id/usage",
  auth: true,
  scope: "keys:read",
  doc: {
    summary: "API key usage",
    description:
      "Verifications of the key (through Bearer authentication, the verify route and procedure) by outcome, one point per `interval` from `from` to `to` (UTC, empty points included, at most 1,440). " +
      "Each instance adds its counts every few seconds (`KEYSMITH_USAGE_FLUSH_MS`), so the latest seconds may not be counted yet.",
    query: ZUsageQuery,
    queryExamples: { from: "2026-11-28T00:00:00Z", to: "2026-11-29T00:00:00Z", interval: "hour" },
    data: ZUsageSeries,
    status: 200,
    message: "API key usage successfully retrieved",
    errors: [400, 401, 403, 404, 429],
    errorExamples: { 400: { message: "from must be before to.", errors: { from: ["from must be before to."] } } },
    responseExample: {
      data: {
        interval: "hour",
        from: "2026-11-28T22:00:00.000Z",
        to: "2026-11-29T00:00:00.000Z",
        points: [
          { at: "2026-11-28T22:00:00.000Z", counts: { VALID: 1520, RATE_LIMITED: 12 } },
          { at: "2026-11-28T23:00:00.000Z", counts: { VALID: 1311, INSUFFICIENT_SCOPE: 2 } },
        ],
        totals: { VALID: 2831, RATE_LIMITED: 12, INSUFFICIENT_SCOPE: 2 },
      },
      message: "API key usage successfully retrieved",
      status: "success",
    },
  },
  async handle({ request, params, principal, now }) {
    const id = parseInput(ZApiKeyIdParam, params.id);
    const query = parseInput(ZUsageQuery, queryOf(new URL(request.url)));
    return success(await apiKeyUsage({ principal, id, query, now }), "API key usage successfully retrieved");
  },
};

/** PATCH /api-keys/{id}: change name, description, expiry, rate limit; narrow scopes. */
export const updateApiKeyRoute: Route = {
  method: "PATCH",
  path: "/api-keys/:id",
  auth: true,
  scope: "keys:write",
  doc: {
    summary: "Update an API key",
    description:
      "Changes the fields given, at least one. `description`, `expires_at`, `rate_limit_per_minute`, `remaining` and `refill` take null to clear them " +
      "(`remaining` sets the credits left; null makes the key unlimited and drops its refill). " +
      "`scopes` can only narrow what the key has (403 otherwise: a wider key is a new key). An API key calling this stays within its own bounds, as when it creates a key. " +
      "A revoked or expired key can still be renamed, but its expiry, rate limit and scopes are settled (409). Every instance sees the change at once.",
    body: ZUpdateApiKeyFields,
    data: ZApiKeyRestDetail,
    status: 200,
    message: "API key successfully updated",
    errors: [400, 401, 403, 404, 409, 413, 415, 429],
    errorExamples: {
      400: { message: "expires_at must be in the future.", errors: { expires_at: ["expires_at must be in the future."] } },
      403: {
        message: "Scopes can only be narrowed: this key does not have keys:write. Create a new key for wider access.",
        errors: { scopes: ["Scopes can only be narrowed: this key does not have keys:write. Create a new key for wider access."] },
      },
      404: { message: "You have no API key with id 5." },
      409: { message: "That key has been revoked: only its name and description can change. Create a new key instead." },
    },
    requestExample: { name: "production server", rate_limit_per_minute: 600, remaining: 10000, refill: { amount: 10000, interval: "month" }, scopes: ["keys:verify"] },
    responseExample: {
      data: {
        id: 5,
        name: "production server",
        description: null,
        partial_key_data: "ak_W4KL…",
        scopes: ["keys:verify"],
        rate_limit_per_minute: 600,
        remaining: 10000,
        refill: { amount: 10000, interval: "month" },
        created_at: "2026-11-29T09:45:00.000Z",
        last_used_at: null,
        expires_at: null,
        revoked_at: null,
        status: "active",
        replaces_id: null,
        leak: null,
        foreign: false,
      },
      message: "API key successfully updated",
      status: "success",
    },
  },
  async handle({ request, params, principal, now }) {
    const id = parseInput(ZApiKeyIdParam, params.id);
    const fields = parseInput(ZUpdateApiKeyFields, await readBody(request));
    return success(restDetail(await updateApiKey({ principal, id, fields, now })), "API key successfully updated");
  },
};

/** DELETE /api-keys/{id}: `data: {}`; 400 for a non-integer id, 404 for an unknown one. */
export const deleteApiKeyRoute: Route = {
  method: "DELETE",
  path: "/api-keys/:id",
  auth: true,
  scope: "keys:write",
  doc: {
    summary: "Delete an API key",
    description: "The key stops working at once, on every instance. Another user's key id answers 404, like a missing one.",
    data: z.object({}),
    status: 200,
    message: "API key successfully deleted",
    errors: [400, 401, 403, 404, 429],
    responseExample: { data: {}, message: "API key successfully deleted", status: "success" },
  },
  async handle({ params, principal }) {
    await deleteApiKey({ principal, id: parseInput(ZApiKeyIdParam, params.id) });
    return success({}, "API key successfully deleted");
  },
};

/** POST /api-keys/{id}/revoke: the key stops working and stays listed as revoked. */
export const revokeApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys/:id/revoke",
  auth: true,
  scope: "keys:write",
  doc: {
    summary: "Revoke an API key",
    description: "The key stops working at once and stays listed as revoked.",
    data: ZApiKeyListItem.extend({ revoked_at: z.iso.datetime().nullable() }),
    status: 200,
    message: "API key successfully revoked",
    errors: [400, 401, 403, 404, 429],
  },
  async handle({ params, principal, now }) {
    const revoked = await revokeApiKey({ principal, id: parseInput(ZApiKeyIdParam, params.id), now });
    return success({ ...listItem(revoked), revoked_at: revoked.revokedAt }, "API key successfully revoked");
  },
};

/** POST /api-keys/{id}/roll, body `{grace_seconds}`: a new key; the old one works until the grace ends. */
export const rollApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys/:id/roll",
  auth: true,
  scope: "keys:write",
  doc: {
    summary: "Roll an API key",
    description: "Issues a new key with the same name, description, scopes, expiry and rate limit; the old key keeps working for `grace_seconds` (0: revoked at once).",
    body: ZRollApiKeyInput.omit({ id: true }),
    data: ZRolledApiKey,
    status: 201,
    message: "API key successfully rolled",
    errors: [400, 401, 403, 404, 409, 413, 415, 429],
    requestExample: { grace_seconds: 3600 },
  },
  async handle({ request, params, principal, now }) {
    const id = parseInput(ZApiKeyIdParam, params.id);
    const input = parseInput(ZRollApiKeyInput, { ...(await readBody(request)), id });
    const rolled = await rollApiKey({ principal, id, graceSeconds: input.grace_seconds, now });
    return success(rolled, "API key successfully rolled", 201);
  },
};

function notValidMessage(code: VerifyCode): string {
  return `API key is not valid: ${code}`;
}

/** POST /api-keys/verify, body `{key, scopes?, cost?}`: 200 with a code saying whether and why not. */
export const verifyApiKeyRoute: Route = {
  method: "POST",
  path: "/api-keys/verify",
  auth: true,
  scope: "keys:verify",
  doc: {
    summary: "Verify an API key",
    description:
      "Answers 200 whether or not the key is valid; `code` says why not, and so does the message. `scopes` lists scopes the key must have. " +
      "A key with credits (`remaining`) spends `cost` of them (1 unless given; 0 checks without spending) on each VALID answer, and answers USAGE_EXCEEDED when fewer are left; " +
      "`remaining` in the answer is what is left after it. The key's rate limit is checked first, so a RATE_LIMITED answer spends nothing, and carries `retry_after_seconds`, `Retry-After` (the same seconds), `RateLimit-Policy` and `RateLimit`.",
    headers: {
      "Retry-After": "With RATE_LIMITED: seconds until the key would be admitted again.",
      "RateLimit-Policy": 'With RATE_LIMITED: the key\'s limit, e.g. `"key";q=100;w=60` (100 verifications in a sliding 60 seconds; IETF draft-ietf-httpapi-ratelimit-headers).',
      RateLimit: 'With RATE_LIMITED: what is left of it, e.g. `"key";r=0;t=12` (none, for 12 seconds).',
    },
    body: ZVerifyInput,
    data: ZVerifyResult,
    status: 200,
    message: "API key is valid",
    otherMessages: ZVerifyCode.options.filter((code) => code !== "VALID").map(notValidMessage),
    errors: [400, 401, 403, 413, 415, 429],
    requestExample: { key: "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0", scopes: ["keys:read"], cost: 1 },
  },
  // no async: a warm key's answer is made in the turn its body arrives (see verifyApiKey)
  handle({ request, principal }) {
    const fields = readBody(request);
    return fields instanceof Promise ? fields.then((read) => verifyAnswer(principal, read)) : verifyAnswer(principal, fields);
  },
};

function verifyAnswer(principal: Principal, fields: Record<string, unknown>): RestAnswer | Promise<RestAnswer> {
  const verification = verifyKey({ principal, input: parseInput(ZVerifyInput, fields) });
  return verification instanceof Promise ? verification.then(verifiedAnswer) : verifiedAnswer(verification);
}

// The envelope of each result verifyApiKey repeats (a warm VALID key without credits), serialised once:
// JSON.stringify of it was about a fifteenth of a warm verification on a slow machine (docs/performance.md).
const repeatedBodies = new WeakMap<VerifyResult, string>();

function verifiedAnswer({ result, rateLimitPerMinute }: Verification): RestAnswer {
  const wait = result.retry_after_seconds;
  const headers = result.code === "RATE_LIMITED" && wait && rateLimitPerMinute ? rateLimitHeaders(rateLimitPerMinute, wait) : undefined;
  const message = result.valid ? "API key is valid" : notValidMessage(result.code);
  if (!isRepeatedResult(result)) return success(result, message, 200, headers);
  let body = repeatedBodies.get(result);
  if (body === undefined) repeatedBodies.set(result, (body = successBody(result, message)));
  return withBody(body, 200, headers);
}
