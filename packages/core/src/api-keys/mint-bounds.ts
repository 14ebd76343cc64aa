import { type Principal } from "@keysmith/auth";
import { type ApiKey } from "@keysmith/db";
import { type FieldErrors, KeysmithError, type Refill, type Scope } from "@keysmith/validators";

import { refillWithin } from "./credits.ts";
import { scopesOf } from "./scopes.ts";

/** What a key about to be issued (created, or a roll's successor) will be able to do. */
export type MintedPowers = Pick<ApiKey, "expiresAt" | "rateLimitPerMinute" | "remaining"> & { scopes: readonly Scope[]; refill: Refill | null };

/**
 * A key can never mint a stronger one: a key may only issue (or roll into
 * existence) keys with scopes it has, that stop working no later than it does,
 * that allow no more verifications a minute than it does, and that have no
 * more credits than it has left, refilled by no more than it is. Sessions and
 * access tokens are their user and may issue anything. Create, roll and
 * update pass through here, so none can drift; an update passes only the
 * powers it changes.
 */
export function requireWithinBounds(principal: Principal, powers: Partial<MintedPowers>, action: "issue" | "roll" | "change"): void {
  if (principal.via !== "key") return;
  const verb = { issue: "issue a key", roll: "roll a key", change: "change a key" }[action];
  const fields: FieldErrors = {};

  const allowed = scopesOf(principal);
  const beyond = (powers.scopes ?? []).filter((scope) => !allowed.includes(scope));
  if (beyond.length > 0) fields.scopes = [`This API key cannot ${verb} with scopes it does not have: ${beyond.join(", ")}.`];

  const { endsAt, rateLimitPerMinute } = principal.bounds;
  if (endsAt && powers.expiresAt !== undefined && (!powers.expiresAt || powers.expiresAt > endsAt)) {
    fields.expires_at = [
      `This API key stops working at ${endsAt.toISOString()}, so it cannot ${verb} that ${powers.expiresAt ? "outlives it" : "never expires"}: ` +
        `set expires_at to ${endsAt.toISOString()} or earlier.`,
    ];
  }
  if (rateLimitPerMinute !== null && powers.rateLimitPerMinute !== undefined && (powers.rateLimitPerMinute === null || powers.rateLimitPerMinute > rateLimitPerMinute)) {
    fields.rate_limit_per_minute = [
      `This API key allows ${rateLimitPerMinute} verifications a minute, so it cannot ${verb} with ${powers.rateLimitPerMinute === null ? "no limit" : `a limit of ${powers.rateLimitPerMinute}`}: ` +
        `set rate_limit_per_minute to ${rateLimitPerMinute} or less.`,
    ];
  }

  const { remaining, refill } = principal.bounds;
  if (remaining !== null && powers.remaining !== undefined && (powers.remaining === null || powers.remaining > remaining)) {
    fields.remaining = [
      `This API key has ${remaining} credits left, so it cannot ${verb} with ${powers.remaining === null ? "unlimited use" : `${powers.remaining} credits`}: ` +
        `set remaining to ${remaining} or less.`,
    ];
  }
  if (remaining !== null && powers.refill && !refillWithin(powers.refill, refill)) {
    fields.refill = [
      refill
        ? `This API key is refilled with ${refill.amount} credits a ${refill.interval}, so it cannot ${verb} refilled ` +
          // refills of different intervals are not compared: a month's credits at once outrun a day's refill for days
          `${powers.refill.interval === refill.interval ? "with more" : `by the ${powers.refill.interval} (a refill keeps this key's interval)`}: ` +
          `set refill to at most {"amount": ${refill.amount}, "interval": "${refill.interval}"}.`
        : `This API key is never refilled, so it cannot ${verb} that is: leave refill out.`,
    ];
  }

  const reasons = Object.values(fields).flat();
  if (reasons.length > 0) throw new KeysmithError("FORBIDDEN", reasons.join(" "), { fields });
}
