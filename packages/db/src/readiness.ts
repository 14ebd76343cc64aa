import { isDatabaseUnavailable } from "./database-unavailable.ts";
import { getPool } from "./pool.ts";

export type DatabaseReadiness = { reachable: true; latencyMs: number } | { reachable: false };

/** One round trip through the pool, bounded by the statement timeout: for /healthz and /readyz. */
export async function checkDatabase(): Promise<DatabaseReadiness> {
  const start = performance.now();
  try {
    await getPool().query("SELECT 1");
    return { reachable: true, latencyMs: Math.round((performance.now() - start) * 10) / 10 };
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // no detail: health checks are public, and the address of the database is nobody's business
    return { reachable: false };
  }
}
