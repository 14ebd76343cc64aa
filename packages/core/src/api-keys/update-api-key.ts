import { forgetKeyLocally, type Principal, recordAudit } from "@keysmith/auth";
import { getDb, transactionTimeouts } from "@keysmith/db";
import { type ApiKeySummary, type AuditDetails, type FieldErrors, KeysmithError, type ParsedUpdateApiKeyFields, type Scope } from "@keysmith/validators";

import { creditColumns, refillOf, refillText, refillWithin } from "./credits.ts";
import { keyEvent } from "./key-event.ts";
import { statusOf } from "./key-status.ts";
import { type MintedPowers, requireWithinBounds } from "./mint-bounds.ts";
import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";
import { toSummary } from "./to-summary.ts";

const RACED = "This key was changed by another request a moment ago; load it again and repeat your change.";

/**
 * Changes a key's name, description, expiry, rate limit, credits, refill or scopes. Scopes only
 * narrow: an update never gives a key a scope it lacks (a wider key is a new
 * key). A key caller may lengthen a key's life or loosen its limit only when
 * the key ends up wholly within the caller's own bounds, as when it issues one. A revoked or expired key keeps its name and description
 * editable, but what it may do is settled. Every instance's cache drops the
 * key at commit (the change trigger), this one at once.
 */
export async function updateApiKey({
  principal,
  id,
  fields,
  now,
}: {
  principal: Principal;
  id: number;
  fields: ParsedUpdateApiKeyFields;
  now: Date;
}): Promise<ApiKeySummary> {
  requireScope(principal, "keys:write");
  const row = await findOwnedKey({ principal, id });
  const errors: FieldErrors = {};
  const powers: Partial<MintedPowers> = {};

  if (fields.scopes !== undefined) {
    const scopes = [...new Set(fields.scopes)];
    const wider = scopes.filter((scope) => !row.scopes.includes(scope));
    if (wider.length > 0) {
      errors.scopes = [`Scopes can only be narrowed: this key does not have ${wider.join(", ")}. Create a new key for wider access.`];
    }
    powers.scopes = scopes;
  }
  if (fields.expires_at !== undefined) {
    if (fields.expires_at && fields.expires_at.getTime() <= now.getTime()) errors.expires_at = ["expires_at must be in the future."];
    powers.expiresAt = fields.expires_at;
  }
  if (fields.rate_limit_per_minute !== undefined) powers.rateLimitPerMinute = fields.rate_limit_per_minute;
  if (fields.remaining !== undefined) powers.remaining = fields.remaining;
  if (fields.refill !== undefined) powers.refill = fields.refill;
  const remaining = powers.remaining === undefined ? row.remaining : powers.remaining;
  // unlimited use has nothing to refill: clearing the credits clears the refill
  const refill = remaining === null ? null : powers.refill === undefined ? refillOf(row) : powers.refill;
  if (powers.refill && remaining === null) errors.refill = ["A refill needs credits to refill: set remaining too."];
  if (Object.keys(errors).length > 0) {
    const reasons = Object.values(errors).flat().join(" ");
    throw new KeysmithError(errors.scopes ? "FORBIDDEN" : "BAD_REQUEST", reasons, { fields: errors });
  }
  // Lengthening a key's life or loosening its limit makes it stronger: a key caller may do
  // that only to a key that, afterwards, is wholly within its own bounds (as when it issues one).
  // Narrowing scopes, shortening life or tightening the limit only weakens, so needs no bounds.
  const expiresAt = powers.expiresAt === undefined ? row.expiresAt : powers.expiresAt;
  const rateLimitPerMinute = powers.rateLimitPerMinute === undefined ? row.rateLimitPerMinute : powers.rateLimitPerMinute;
  const livesLonger = powers.expiresAt !== undefined && row.expiresAt !== null && (expiresAt === null || expiresAt > row.expiresAt);
  const allowsMore = powers.rateLimitPerMinute !== undefined && row.rateLimitPerMinute !== null && (rateLimitPerMinute === null || rateLimitPerMinute > row.rateLimitPerMinute);
  const creditsMore = powers.remaining !== undefined && row.remaining !== null && (remaining === null || remaining > row.remaining);
  const refillsMore = powers.refill !== undefined && refill !== null && !refillWithin(refill, refillOf(row));
  if (livesLonger || allowsMore || creditsMore || refillsMore) {
    requireWithinBounds(principal, { scopes: powers.scopes ?? (row.scopes as Scope[]), expiresAt, rateLimitPerMinute, remaining, refill }, "change");
  }

  const status = statusOf(row, now);
  if ((status === "revoked" || status === "expired") && Object.keys(powers).length > 0) {
    throw new KeysmithError(
      "CONFLICT",
      `That key has ${status === "revoked" ? "been revoked" : "expired"}: only its name and description can change. Create a new key instead.`,
    );
  }

  // only if nothing changed it since it was read: the scope check above was made against that row
  const updated = await getDb().$transaction(async (tx) => {
    const rows = await tx.apiKey.updateManyAndReturn({
      where: { id: row.id, userId: principal.user.id, scopes: { equals: row.scopes }, revokedAt: row.revokedAt, expiresAt: row.expiresAt },
      data: {
        ...(fields.name !== undefined ? { name: fields.name } : {}),
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        ...(powers.scopes !== undefined ? { scopes: [...(powers.scopes as Scope[])] } : {}),
        ...(powers.expiresAt !== undefined ? { expiresAt: powers.expiresAt } : {}),
        ...(powers.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: powers.rateLimitPerMinute } : {}),
        ...(powers.remaining !== undefined || powers.refill !== undefined ? creditColumns(remaining, refill, now) : {}),
      },
    });
    const [first] = rows;
    if (first) await recordAudit(keyEvent(principal, "key.updated", first, now, changeDetails(fields, powers)), tx);
    return rows;
  }, transactionTimeouts());
  const [changed] = updated;
  if (!changed) throw new KeysmithError("CONFLICT", RACED);
  forgetKeyLocally(row.keyHash);
  return toSummary(changed, now);
}

/** What an update changed, for the audit log: the fields named, and the new powers (never the description's text). */
function changeDetails(fields: ParsedUpdateApiKeyFields, powers: Partial<MintedPowers>): AuditDetails {
  return {
    changed: Object.keys(fields).filter((field) => fields[field as keyof ParsedUpdateApiKeyFields] !== undefined),
    ...(powers.scopes !== undefined ? { scopes: [...powers.scopes] } : {}),
    ...(powers.expiresAt !== undefined ? { expires_at: powers.expiresAt?.toISOString() ?? null } : {}),
    ...(powers.rateLimitPerMinute !== undefined ? { rate_limit_per_minute: powers.rateLimitPerMinute } : {}),
    ...(powers.remaining !== undefined ? { remaining: powers.remaining } : {}),
    ...(powers.refill !== undefined ? { refill: refillText(powers.refill) } : {}),
  };
}
