import { type IncomingMessage, type ServerResponse } from "node:http";

import { cookieSecurity, readSessionCookie, sessionCookie, validateSessionToken } from "@keysmith/auth";
import { SessionKind } from "@keysmith/db";

/**
 * Slides the web session of a page request that is due (see
 * validateSessionToken) and sends its new cookie. This runs in server.ts,
 * before Next.js renders, because a render cannot set cookies and so never
 * renews: without this, a person who only loads pages would see their
 * session end 30 days after it began, however often they came back.
 *
 * Documents and the dashboard's own fetches (the router's RSC requests) count
 * as page loads; subresources (scripts, styles, images) do not, so they cost
 * no database lookup. A client that sends no Sec-Fetch-Dest is treated as
 * loading a page.
 */
export async function renewPageSession(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const token = readSessionCookie(req.headers.cookie);
  const dest = req.headers["sec-fetch-dest"];
  if (!token || req.method !== "GET" || req.url?.startsWith("/_next/")) return;
  if (dest !== undefined && dest !== "document" && dest !== "empty") return;
  const check = await validateSessionToken(token, SessionKind.WEB, new Date(), { renew: true });
  if (check.ok && check.value.renewed) {
    res.appendHeader("set-cookie", sessionCookie(token, check.value.session.expiresAt, cookieSecurity(`${origin}/`, new Headers())));
  }
}
