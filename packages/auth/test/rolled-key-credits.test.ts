/**
 * A rolled key in its grace spends from the newest key of its lineage (the
 * roll moved its credits there): whether it has credits at all, its refill,
 * and what is left are that key's, from a cold lookup or a warm cache.
 */
import { getDb, getPool } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { apiKeyDisplayPrefix, generateApiKey, hashApiKey, verifyApiKey } from "../src/index.ts";
import { changeUnheard, HOUR, listenerConnected, newAccount } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const SCOPES = ["keys:read", "keys:write", "keys:verify"];

/** A key rolled an hour ago with a grace of another hour, as rollApiKey leaves it, and its successor with `credits`. */
async function rolledPair(userId: number, own: { remaining: number | null }, credits: { remaining: number | null; refillAmount?: number; refillInterval?: string }) {
  const now = Date.now();
  const oldKey = generateApiKey();
  const old = await getDb().apiKey.create({
    data: {
      userId, name: "old", keyHash: hashApiKey(oldKey), prefix: apiKeyDisplayPrefix(oldKey), scopes: SCOPES,
      rolledAt: new Date(now - HOUR), revokedAt: new Date(now + HOUR), remaining: own.remaining,
    },
  });
  const newKey = generateApiKey();
  const successor = await getDb().apiKey.create({
    data: {
      userId, name: "old", keyHash: hashApiKey(newKey), prefix: apiKeyDisplayPrefix(newKey), scopes: SCOPES, replacesId: old.id,
      remaining: credits.remaining,
      ...(credits.refillAmount ? { refillAmount: credits.refillAmount, refillInterval: credits.refillInterval, refilledAt: new Date(now) } : {}),
    },
  });
  return { oldKey, old, newKey, successor };
}

const remainingOf = async (id: number) => (await getDb().apiKey.findUniqueOrThrow({ where: { id } })).remaining;

describe("a rolled key's credits during its grace", () => {
  test("a rolled key without credits of its own whose successor has 2 spends the successor's: VALID with remaining 1, and the successor's row holds 1", async () => {
    const { user } = await newAccount();
    const { oldKey, successor } = await rolledPair(user.id, { remaining: null }, { remaining: 2 });
    expect((await verifyApiKey(oldKey)).result).toMatchObject({ code: "VALID", remaining: 1 });
    expect(await remainingOf(successor.id)).toBe(1);
  });

  test("a VALID rolled key's bounds carry its successor's remaining and refill, not its own (none after the roll)", async () => {
    const { user } = await newAccount();
    const { oldKey } = await rolledPair(user.id, { remaining: 0 }, { remaining: 5, refillAmount: 5, refillInterval: "day" });
    const verification = await verifyApiKey(oldKey);
    expect(verification.result).toMatchObject({ code: "VALID", remaining: 4 });
    expect(verification.bounds).toMatchObject({ remaining: 4, refill: { amount: 5, interval: "day" } });
  });

  test("a rolled key cached as spending credits, whose successor is then made unlimited before the old key's notification is heard (the change made with triggers off), answers VALID with remaining null, not USAGE_EXCEEDED", async () => {
    const { user } = await newAccount();
    await listenerConnected();
    const { oldKey, successor } = await rolledPair(user.id, { remaining: 0 }, { remaining: 5 });
    // the inserts' own notifications heard, so the next lookup stays cached
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await verifyApiKey(oldKey)).result).toMatchObject({ code: "VALID", remaining: 4 });
    // the window between a change and its notification (a trigger NOTIFYs the old key's hash; with
    // triggers off for this one statement, the cached entry stays as it would until that arrives)
    await changeUnheard("UPDATE api_keys SET remaining = NULL WHERE id = $1", successor.id);

    const query = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(oldKey)).result).toMatchObject({ code: "VALID", remaining: null });
    // answered from the cache (no lookup), the credits asked of the database
    const statements = query.mock.calls.map(([statement]) => (statement as { name?: string }).name);
    expect(statements).not.toContain("keysmith_verify_key");
    expect(statements).toContain("keysmith_spend_credits");
  });
});
