/**
 * Keys imported in another format (`foreign`): verified by the hash of the
 * value presented, among foreign keys only, through the same cache as native
 * keys; never a Bearer credential.
 */
import { randomBytes } from "node:crypto";

import { getDb, getPool } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { generateApiKey, hashApiKey, verifyApiKey } from "../src/index.ts";
import { bearer, listenerConnected, newAccount, resolve } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const foreignValue = () => `sk_live_${randomBytes(24).toString("base64url")}`;

/** A key row as an import stores it: the hash of `key`, marked foreign unless told otherwise. */
async function storeImported(userId: number, key: string, extra: { foreign?: boolean; remaining?: number } = {}) {
  return getDb().apiKey.create({
    data: { userId, name: "imported", keyHash: hashApiKey(key), prefix: key.slice(0, 7), scopes: ["keys:read", "keys:verify"], foreign: true, ...extra },
  });
}

/** The named statements `pool.query` ran while `run` did. */
async function statementsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const query = vi.spyOn(getPool(), "query");
  try {
    await run();
    return query.mock.calls.map(([statement]) => (statement as { name?: string }).name ?? "(unnamed)");
  } finally {
    query.mockRestore();
  }
}

describe("verifying a key imported in another format", () => {
  test("a foreign key's plaintext verifies VALID by its hash, its scopes honoured (INSUFFICIENT_SCOPE for another); the same kind of value stored as a native key (foreign = false) is not found and answers MALFORMED", async () => {
    const { user } = await newAccount();
    const foreign = foreignValue();
    const row = await storeImported(user.id, foreign);
    expect((await verifyApiKey(foreign, { requiredScopes: ["keys:read"] })).result).toMatchObject({ valid: true, code: "VALID", id: row.id, scopes: ["keys:read", "keys:verify"] });
    expect((await verifyApiKey(foreign, { requiredScopes: ["keys:write"] })).result.code).toBe("INSUFFICIENT_SCOPE");

    const notForeign = foreignValue();
    await storeImported(user.id, notForeign, { foreign: false });
    expect((await verifyApiKey(notForeign)).result).toMatchObject({ valid: false, code: "MALFORMED", id: null });
  });

  test("a junk value is looked up once (among foreign keys); a second verification within 30 s answers MALFORMED from the cache with no query", async () => {
    await listenerConnected();
    const junk = `junk-${randomBytes(16).toString("hex")}`;
    expect(await statementsDuring(async () => expect((await verifyApiKey(junk)).result.code).toBe("MALFORMED"))).toEqual(["keysmith_verify_foreign_key"]);
    expect(await statementsDuring(async () => expect((await verifyApiKey(junk)).result.code).toBe("MALFORMED"))).toEqual([]);
  });

  test("a mistyped ak_ key, and a value shorter than 16 or longer than 512 characters, answer MALFORMED with no query", async () => {
    const real = generateApiKey();
    const mistyped = `${real.slice(0, -1)}${real.endsWith("A") ? "B" : "A"}`;
    for (const value of [mistyped, "ak_short", "too-short-value", "x".repeat(513)]) {
      expect(await statementsDuring(async () => expect((await verifyApiKey(value)).result.code).toBe("MALFORMED"))).toEqual([]);
    }
  });

  test("a junk value cached as unknown verifies VALID once a foreign key with its hash is stored (the insert's notification drops the cached answer)", async () => {
    await listenerConnected();
    const { user } = await newAccount();
    const value = foreignValue();
    expect((await verifyApiKey(value)).result.code).toBe("MALFORMED");
    const row = await storeImported(user.id, value);
    await vi.waitFor(async () => expect((await verifyApiKey(value)).result).toMatchObject({ code: "VALID", id: row.id }), { timeout: 2_000, interval: 20 });
  });
});

describe("a foreign key presented as a Bearer credential", () => {
  test("a foreign key's plaintext resolves no principal: it is refused as an unknown access token (UNAUTHORIZED)", async () => {
    const { user } = await newAccount();
    const foreign = foreignValue();
    await storeImported(user.id, foreign);
    expect(await resolve(bearer(foreign), new Date())).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED" } });
  });

  test("a key imported by hash that is in ak_ format verifies VALID but resolves no principal (UNAUTHORIZED, as a key that does not exist) and spends none of its credits", async () => {
    const { user } = await newAccount();
    const key = generateApiKey();
    const row = await storeImported(user.id, key, { remaining: 5 });
    expect(await resolve(bearer(key), new Date())).toMatchObject({
      principal: null,
      error: { code: "UNAUTHORIZED", message: "The API key is not valid: it was deleted, or never existed." },
    });
    expect((await getDb().apiKey.findUniqueOrThrow({ where: { id: row.id } })).remaining).toBe(5);
    expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", id: row.id, remaining: 4 });
    // the key is cached as found now: still no principal
    expect((await resolve(bearer(key), new Date())).principal).toBeNull();
  });
});
