import { listAuditLog } from "@keysmith/core";
import { parseInput, ZAuditEvent, ZAuditLogQuery } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { withNextLink } from "../next-link.ts";
import { queryOf } from "../query.ts";
import { type Route } from "../route.ts";

/** GET /audit-log: the caller's own events, newest first, paged like the key list. */
export const auditLogRoute: Route = {
  method: "GET",
  path: "/audit-log",
  auth: true,
  scope: "keys:read",
  doc: {
    summary: "Audit log",
    description:
      "What happened to your keys and your account, newest first: who acted (a web session, an access token, an API key, nobody signed in, or Keysmith itself for a key's first use), " +
      "from which address and user agent, and which key. Never a key, a password or a request body. `event` and `key_id` narrow it; " +
      "25 events a page unless `limit` says otherwise, and while older events follow, the answer carries `Link: </api/v1/audit-log?cursor=…>; rel=\"next\"`.",
    query: ZAuditLogQuery,
    queryExamples: { event: "key.revoked", key_id: "42", limit: "25", cursor: "1207" },
    headers: { Link: 'The next (older) page, when there is one: `<…?cursor=…>; rel="next"` (RFC 8288).' },
    data: ZAuditEvent.array(),
    status: 200,
    message: "Audit log successfully retrieved",
    errors: [400, 401, 403, 429],
    errorExamples: { 400: { message: "event must be one of key.created, …", errors: { event: ["event must be one of key.created, …"] } } },
    responseExample: {
      data: [
        {
          id: "1208",
          at: "2026-11-29T10:15:02.113Z",
          event: "key.revoked",
          actor: { type: "web_session", key_id: null },
          key_id: 42,
          key_name: "production",
          client_address: "203.0.113.9",
          user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
          details: {},
        },
      ],
      message: "Audit log successfully retrieved",
      status: "success",
    },
  },
  async handle({ request, principal }) {
    const url = new URL(request.url);
    const query = parseInput(ZAuditLogQuery, queryOf(url));
    const page = await listAuditLog({ principal, query });
    return withNextLink(success(page.items, "Audit log successfully retrieved"), url, page.nextCursor);
  },
};
