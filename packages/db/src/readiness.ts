import { isDatabaseUnavailable } from "./database-unavailable.ts";
import { getPool } from "./pool.ts";

export type DatabaseReadiness = { reachable: true; latencyMs: number } | { reachable: false };

/**
 * One round trip through the pool, for /healthz and /readyz: unreachable
 * when it fails or takes longer than `withinMs`. Probes run every second or
 * so with short timeouts of their own, so a stall must be reported in about
 * a second, not after the statement timeout.
 */
export async function checkDatabase({ withinMs = 1_000 }: { withinMs?: number } = {}): Promise<DatabaseReadiness> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("Query read timeout"), { code: "ETIMEDOUT" })), withinMs);
  });
  try {
    await Promise.race([getPool().query("SELECT 1"), tooSlow]);
    return { reachable: true, latencyMs: Math.round((performance.now() - start) * 10) / 10 };
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // no detail: health checks are public, and the address of the database is nobody's business
    return { reachable: false };
  } finally {
    clearTimeout(timer);
  }
}
