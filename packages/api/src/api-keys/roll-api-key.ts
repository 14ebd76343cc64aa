import { forgetKeyLocally, notifyKeyChanged } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { KeysmithError, type RolledApiKey, type Scope } from "@keysmith/validators";

import { mintKey } from "./mint-key.ts";
import { findOwnedKey } from "./owned-key.ts";

/**
 * Replaces a key without downtime: a new key with the same name, description,
 * scopes, expiry and rate limit, while the old one keeps working for `graceSeconds`
 * (0 revokes it at once). Both happen in one transaction.
 */
export async function rollApiKey(userId: number, id: number, graceSeconds: number, now = new Date()): Promise<RolledApiKey> {
  const old = await findOwnedKey(userId, id);
  if (old.revokedAt && old.revokedAt.getTime() <= now.getTime()) {
    throw new KeysmithError("CONFLICT", "That key is already revoked; create a new key instead of rolling it.");
  }
  if (old.expiresAt && old.expiresAt.getTime() <= now.getTime()) {
    throw new KeysmithError("CONFLICT", "That key has expired; create a new key instead of rolling it.");
  }
  const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
  // a grace period never extends a revocation already scheduled sooner
  const revokedAt = old.revokedAt && old.revokedAt < graceEnd ? old.revokedAt : graceEnd;

  const { key, keyHash, prefix } = mintKey();
  const db = getDb();
  const [created] = await db.$transaction([
    db.apiKey.create({
      data: {
        userId,
        name: old.name,
        description: old.description,
        keyHash,
        prefix,
        scopes: old.scopes,
        expiresAt: old.expiresAt,
        rateLimitPerMinute: old.rateLimitPerMinute,
      },
    }),
    db.apiKey.update({ where: { id: old.id }, data: { revokedAt } }),
    notifyKeyChanged(old.keyHash),
    notifyKeyChanged(keyHash),
  ]);
  forgetKeyLocally(old.keyHash);
  forgetKeyLocally(keyHash);
  return {
    id: created.id,
    key,
    name: created.name,
    description: created.description,
    // the database holds only scopes that passed ZScope at creation
    scopes: created.scopes as Scope[],
    expires_at: created.expiresAt?.toISOString() ?? null,
    rate_limit_per_minute: created.rateLimitPerMinute,
    replaces: { id: old.id, revoked_at: revokedAt.toISOString() },
  };
}
