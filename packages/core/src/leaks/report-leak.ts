import { leakReports, type RequestClient } from "@keysmith/auth";
import { KeysmithError, type ReportLeakInput } from "@keysmith/validators";

import { revokeLeakedKeys } from "./revoke-leaked-keys.ts";

/**
 * Anyone's report of keys found in public (POST /api-keys/report-leak):
 * every live key among them is revoked. Nothing is returned, so the answer
 * is the same whether any key existed; the only way to learn that a key works
 * is to use it, and a reported key no longer does.
 */
export async function reportLeakedKeys({ input, client, now }: { input: ReportLeakInput; client: RequestClient; now: Date }): Promise<void> {
  const wait = leakReports.retryAfterSeconds(client.address, now.getTime());
  if (wait > 0) {
    throw new KeysmithError("TOO_MANY_REQUESTS", `Too many leak reports from this address: at most ${leakReports.rule.maxFailures} a minute. Try again in ${wait} s.`, {
      retryAfterSeconds: wait,
    });
  }
  leakReports.recordFailure(client.address, now.getTime());
  await revokeLeakedKeys({ source: "report", found: input.keys.map((key) => ({ key, url: input.url ?? null })), now, client });
}
