import { forgetKeyLocally, type Principal, recordAudit } from "@keysmith/auth";
import { type ApiKey, getDb, transactionTimeouts } from "@keysmith/db";
import { KeysmithError, type RolledApiKey, type Scope } from "@keysmith/validators";

import { keyEvent } from "./key-event.ts";
import { refillOf } from "./credits.ts";
import { requireWithinBounds } from "./mint-bounds.ts";
import { mintKey } from "./mint-key.ts";
import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";

const RACED = "This key was rolled or revoked by another request a moment ago; list your keys to find its successor.";

/**
 * Replaces a key without downtime: a new key with the same name, description,
 * scopes, expiry and rate limit, while the old one keeps working for
 * `graceSeconds` (0 revokes it at once). A key is rolled once: the claim on
 * the old row and the new row are one transaction, so of several concurrent
 * rolls exactly one wins and the others get CONFLICT.
 *
 * The successor is always a Keysmith (`ak_`) key, since Keysmith can mint no
 * other format, but it keeps the old key's `foreign` mark: the successor of a
 * key imported in another format (or by hash) verifies through the verify
 * route like the key it replaces and, like it, never authenticates a caller of
 * Keysmith's own API. Otherwise rolling an imported key (all scopes by default)
 * would turn a key that could only be verified into a full credential: a
 * stronger key than the one rolled.
 */
export async function rollApiKey({ principal, id, graceSeconds, now }: { principal: Principal; id: number; graceSeconds: number; now: Date }): Promise<RolledApiKey> {
  requireScope(principal, "keys:write");
  const old = await findOwnedKey({ principal, id });
  if (old.revokedAt && old.revokedAt.getTime() <= now.getTime()) {
    throw new KeysmithError("CONFLICT", "That key is already revoked; create a new key instead of rolling it.");
  }
  if (old.expiresAt && old.expiresAt.getTime() <= now.getTime()) {
    throw new KeysmithError("CONFLICT", "That key has expired; create a new key instead of rolling it.");
  }
  if (old.rolledAt) {
    throw new KeysmithError("CONFLICT", "That key has already been rolled; roll its successor instead.");
  }
  // the database holds only scopes that passed ZScope at creation
  const scopes = old.scopes as Scope[];
  requireWithinBounds(principal, { scopes, expiresAt: old.expiresAt, rateLimitPerMinute: old.rateLimitPerMinute, remaining: old.remaining, refill: refillOf(old) }, "roll");

  // a key not yet rolled has no revocation scheduled (revoking sets it to now): the grace decides
  const revokedAt = new Date(now.getTime() + graceSeconds * 1000);
  const { key, keyHash, prefix } = mintKey();

  const created = await getDb().$transaction(async (tx) => {
    // the credits as they are now: spending takes this row lock too, so none is spent between this read and the claim
    // (NO KEY: keys referring to this one, usage rows and successors, may still be inserted meanwhile)
    const [credits] = await tx.$queryRaw<Pick<ApiKey, "remaining" | "refillAmount" | "refillInterval" | "refilledAt">[]>`
      SELECT remaining, refill_amount AS "refillAmount", refill_interval AS "refillInterval", refilled_at AS "refilledAt"
        FROM api_keys WHERE id = ${old.id} FOR NO KEY UPDATE`;
    // Claims the old key only if nothing changed it since it was read above;
    // under READ COMMITTED a concurrent roll's committed claim makes this match no row.
    const claimed = await tx.apiKey.updateMany({
      // and the powers the successor copies: an update narrowing them in between must not be lost
      where: {
        id: old.id,
        userId: principal.user.id,
        rolledAt: null,
        revokedAt: old.revokedAt,
        scopes: { equals: old.scopes },
        expiresAt: old.expiresAt,
        rateLimitPerMinute: old.rateLimitPerMinute,
      },
      // the credits move to the successor, as they are now (the row is locked by this update);
      // the old key spends from its successor's during the grace (verify/credits.ts in @keysmith/auth)
      data: { rolledAt: now, revokedAt, ...(credits?.remaining == null ? {} : { remaining: 0, refillAmount: null, refillInterval: null, refilledAt: null }) },
    });
    if (claimed.count !== 1) throw new KeysmithError("CONFLICT", RACED);
    const row = await tx.apiKey.create({
      data: {
        userId: principal.user.id,
        name: old.name,
        description: old.description,
        keyHash,
        prefix,
        // what the old key may authenticate, the new one may: a foreign key's successor is foreign too
        foreign: old.foreign,
        scopes,
        expiresAt: old.expiresAt,
        rateLimitPerMinute: old.rateLimitPerMinute,
        remaining: credits?.remaining ?? null,
        refillAmount: credits?.refillAmount ?? null,
        refillInterval: credits?.refillInterval ?? null,
        refilledAt: credits?.refilledAt ?? null,
        replacesId: old.id,
      },
    });
    await recordAudit(keyEvent(principal, "key.rolled", old, now, { new_key_id: row.id, grace_seconds: graceSeconds, revoked_at: revokedAt.toISOString() }), tx);
    await recordAudit(keyEvent(principal, "key.created", row, now, { replaces_id: old.id }), tx);
    // both rows' triggers NOTIFY every instance at commit
    return row;
  }, transactionTimeouts());
  forgetKeyLocally(old.keyHash);
  forgetKeyLocally(keyHash);
  return {
    id: created.id,
    key,
    name: created.name,
    description: created.description,
    scopes,
    expires_at: created.expiresAt?.toISOString() ?? null,
    rate_limit_per_minute: created.rateLimitPerMinute,
    replaces: { id: old.id, revoked_at: revokedAt.toISOString() },
  };
}
