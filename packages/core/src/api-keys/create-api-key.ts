import { forgetKeyLocally, type Principal, recordAudit } from "@keysmith/auth";
import { getDb, transactionTimeouts } from "@keysmith/db";
import { type CreatedApiKey, KeysmithError, type ParsedCreateApiKeyInput, SCOPES } from "@keysmith/validators";

import { creditColumns, refillText } from "./credits.ts";
import { keyEvent } from "./key-event.ts";
import { requireWithinBounds } from "./mint-bounds.ts";
import { mintKey } from "./mint-key.ts";
import { requireScope } from "./scopes.ts";

/**
 * Issues a key for the caller. The plaintext exists only in the value
 * returned here; the database keeps its SHA-256 and a 4-character prefix.
 * Left out, scopes are all of them and expiry, rate limit and credits are
 * none (the documented defaults), so a key with bounds of its own must state
 * them.
 */
export async function createApiKey({ principal, input, now }: { principal: Principal; input: ParsedCreateApiKeyInput; now: Date }): Promise<CreatedApiKey> {
  requireScope(principal, "keys:write");
  if (input.expires_at && input.expires_at.getTime() <= now.getTime()) {
    throw new KeysmithError("BAD_REQUEST", "expires_at must be in the future.", { fields: { expires_at: ["expires_at must be in the future."] } });
  }
  const scopes = input.scopes ? [...new Set(input.scopes)] : [...SCOPES];
  const expiresAt = input.expires_at ?? null;
  const rateLimitPerMinute = input.rate_limit_per_minute ?? null;
  const remaining = input.remaining ?? null;
  const refill = input.refill ?? null;
  requireWithinBounds(principal, { scopes, expiresAt, rateLimitPerMinute, remaining, refill }, "issue");

  const { key, keyHash, prefix } = mintKey();
  // the insert NOTIFYs every instance to forget any answer it holds for this hash (a database trigger)
  const row = await getDb().$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        userId: principal.user.id,
        name: input.name,
        description: input.description,
        keyHash,
        prefix,
        scopes,
        expiresAt,
        rateLimitPerMinute,
        ...creditColumns(remaining, refill, now),
      },
      select: { id: true, name: true, description: true },
    });
    const details = { scopes, expires_at: expiresAt?.toISOString() ?? null, rate_limit_per_minute: rateLimitPerMinute, remaining, refill: refillText(refill) };
    await recordAudit(keyEvent(principal, "key.created", created, now, details), tx);
    return created;
  }, transactionTimeouts());
  forgetKeyLocally(keyHash);
  return { id: row.id, key, name: row.name, description: row.description };
}
