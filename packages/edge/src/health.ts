import { keyCache, keyEventsStatus, sessionCache } from "@keysmith/auth";
import { checkDatabase } from "@keysmith/db";

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });

/**
 * GET /healthz: liveness, always 200 while the process answers, with what an
 * operator needs to know: the database (one round trip, a second at most), the key
 * and session caches, and whether changes are being heard (else the caches are bypassed).
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
    cachedSessions: sessionCache()?.size ?? 0,
    keyEvents: events.state,
    keyEventsHeartbeatAgeMs: events.heartbeatAgeMs,
  });
}

/**
 * GET /readyz, for load balancers: 200 when this instance can serve, else
 * 503 with each reason in `reasons`. Not ready while the database does not
 * answer, nor while key changes are not being heard ("reconnecting"):
 * verification is then correct but every one costs a database round trip,
 * and traffic is better sent to an instance whose cache works. "idle" (no key
 * verified yet, so no listener started) and "connecting" (its first
 * connection under way, which the first verification starts) are ready: an
 * instance just started is no worse than it was a moment before, and marking
 * it unready then would flap every new instance out of its pool.
 */
export async function readyz(): Promise<Response> {
  const database = await checkDatabase();
  const keyEvents = keyEventsStatus().state;
  const reasons: string[] = [];
  if (!database.reachable) reasons.push("The database does not answer within a second; this instance can serve nothing that needs it.");
  if (keyEvents === "reconnecting") {
    reasons.push("This instance is not hearing key changes (its notification connection is reconnecting), so it cannot trust its key cache.");
  }
  const body = { status: reasons.length === 0 ? "ready" : "unavailable", database: database.reachable ? "reachable" : "unreachable", keyEvents, reasons };
  return reasons.length === 0 ? json(body) : json(body, 503, { "retry-after": "5" });
}
