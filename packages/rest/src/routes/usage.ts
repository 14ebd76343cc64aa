import { accountUsage } from "@keysmith/core";
import { parseInput, ZAccountUsage, ZAccountUsageQuery } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { queryOf } from "../query.ts";
import { type Route } from "../route.ts";

/** GET /usage: all the caller's keys' verifications over time, by outcome. */
export const accountUsageRoute: Route = {
  method: "GET",
  path: "/usage",
  auth: true,
  scope: "keys:read",
  doc: {
    summary: "Usage of all your keys",
    description:
      "Verifications of all your keys by outcome, one point per `interval` from `from` to `to` (UTC, empty points included, at most 1,440), as GET /api-keys/{id}/usage answers for one key. " +
      "`key_ids` (comma-separated, up to 100) adds each named key's total per point, for sparklines in a list.",
    query: ZAccountUsageQuery,
    queryExamples: { from: "2026-11-22T00:00:00Z", to: "2026-11-29T00:00:00Z", interval: "day", key_ids: "42,43" },
    data: ZAccountUsage,
    status: 200,
    message: "Usage successfully retrieved",
    errors: [400, 401, 403, 429],
    errorExamples: { 400: { message: "key_ids must be up to 100 key ids, comma-separated.", errors: { key_ids: ["key_ids must be up to 100 key ids, comma-separated."] } } },
    responseExample: {
      data: {
        interval: "day",
        from: "2026-11-27T00:00:00.000Z",
        to: "2026-11-29T00:00:00.000Z",
        points: [
          { at: "2026-11-27T00:00:00.000Z", counts: { VALID: 18240, RATE_LIMITED: 31 } },
          { at: "2026-11-28T00:00:00.000Z", counts: { VALID: 20511, REVOKED: 4 } },
        ],
        totals: { VALID: 38751, RATE_LIMITED: 31, REVOKED: 4 },
        keys: [{ id: 42, total: 38786, points: [18271, 20515] }],
      },
      message: "Usage successfully retrieved",
      status: "success",
    },
  },
  async handle({ request, principal, now }) {
    const query = parseInput(ZAccountUsageQuery, queryOf(new URL(request.url), ["key_ids"]));
    return success(await accountUsage({ principal, query, now }), "Usage successfully retrieved");
  },
};
