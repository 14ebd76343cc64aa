import { keyCache, keyEventsStatus } from "@keysmith/auth";
import { checkDatabase } from "@keysmith/db";

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });

/**
 * GET /healthz: liveness, always 200 while the process answers, with what an
 * operator needs to know: the database (one round trip, a second at most), the key
 * cache, and whether key changes are being heard (else the cache is bypassed).
 */
export async function healthz(): Promise<Response> {
  const database = await checkDatabase();
  const events = keyEventsStatus();
  return json({
    status: database.reachable ? "ok" : "degraded",
    pid: process.pid,
    database: database.reachable ? "reachable" : "unreachable",
    databaseLatencyMs: database.reachable ? database.latencyMs : null,
    cachedKeys: keyCache.size,
    keyEvents: events.state,
    keyEventsHeartbeatAgeMs: events.heartbeatAgeMs,
  });
}

/** GET /readyz: 200 when this instance can serve (its database answers), else 503, for load balancers. */
export async function readyz(): Promise<Response> {
  const database = await checkDatabase();
  return database.reachable
    ? json({ status: "ready", database: "reachable" })
    : json({ status: "unavailable", database: "unreachable" }, 503, { "retry-after": "5" });
}
