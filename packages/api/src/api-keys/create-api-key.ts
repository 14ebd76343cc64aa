import { forgetKeyLocally, notifyKeyChanged, type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type CreatedApiKey, KeysmithError, type ParsedCreateApiKeyInput, SCOPES } from "@keysmith/validators";

import { mintKey } from "./mint-key.ts";
import { scopesOf } from "./scopes.ts";

/**
 * Issues a key for the caller. The plaintext exists only in the value
 * returned here; the database keeps its SHA-256 and a 4-character prefix.
 * A key may only issue keys with scopes it has itself.
 */
export async function createApiKey(principal: Principal, input: ParsedCreateApiKeyInput, now = new Date()): Promise<CreatedApiKey> {
  if (input.expires_at && input.expires_at.getTime() <= now.getTime()) {
    throw new KeysmithError("BAD_REQUEST", "expires_at must be in the future.", { fields: { expires_at: ["expires_at must be in the future."] } });
  }
  const scopes = input.scopes ? [...new Set(input.scopes)] : [...SCOPES];
  const allowed = scopesOf(principal);
  const beyond = scopes.filter((scope) => !allowed.includes(scope));
  if (beyond.length > 0) {
    throw new KeysmithError("FORBIDDEN", `This API key cannot issue a key with scopes it does not have: ${beyond.join(", ")}.`);
  }

  const { key, keyHash, prefix } = mintKey();
  const db = getDb();
  const [row] = await db.$transaction([
    db.apiKey.create({
      data: {
        userId: principal.user.id,
        name: input.name,
        description: input.description,
        keyHash,
        prefix,
        scopes,
        expiresAt: input.expires_at ?? null,
        rateLimitPerMinute: input.rate_limit_per_minute ?? null,
      },
      select: { id: true, name: true, description: true },
    }),
    // no instance may hold a stale answer for this hash (see verify-key.ts)
    notifyKeyChanged(keyHash),
  ]);
  forgetKeyLocally(keyHash);
  return { id: row.id, key, name: row.name, description: row.description };
}
