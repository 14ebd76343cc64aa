import { getPool, subscribe } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { generateApiKey, hashApiKey, isRepeatedResult, keyCache, verifyApiKey } from "../src/index.ts";
import { KeyCache } from "../src/verify/key-cache.ts";
import { cacheKeyOfKey, hashKeyOf } from "../src/verify/key-events.ts";
import { bearer, changeElsewhere, holdNextQuery, listenerConnected, newAccount, resolve, storeKey } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const hashOf = (key: string) => Buffer.from(hashApiKey(key)).toString("base64url");

/** The next key lookup held until `release` (see holdNextQuery). */
const holdNextLookup = () => holdNextQuery("keysmith_verify_key");

/** Resolves once this instance has processed the notification for `hash`. */
function notified(hash: string) {
  return new Promise<void>((resolve) => {
    const original = keyCache.delete.bind(keyCache);
    vi.spyOn(keyCache, "delete").mockImplementation((deleted: string) => {
      original(deleted);
      if (deleted === hash) resolve();
    });
  });
}

/** A key stored with this instance listening, once the insert's own notification has been heard (so it races nothing after). */
async function storeHeard(userId: number, extra: Parameters<typeof storeKey>[1] = {}) {
  await listenerConnected();
  const key = generateApiKey();
  const inserted = notified(hashOf(key));
  const { row } = await storeKey(userId, extra, key);
  await inserted;
  vi.restoreAllMocks();
  return { key, row };
}

describe("a lookup in flight when its key changes", () => {
  test.each([
    ["revoked", "REVOKED", "UPDATE api_keys SET revoked_at = now() AT TIME ZONE 'UTC' WHERE id = $1"],
    ["deleted", "NOT_FOUND", "DELETE FROM api_keys WHERE id = $1"],
  ])("is answered with what it read, but not cached: once %s, the next verification says %s", async (_, code, sql) => {
    const { user } = await newAccount();
    const { key, row } = await storeHeard(user.id);

    const held = holdNextLookup();
    const inFlight = verifyApiKey(key);
    await held.hasRead;
    const heard = notified(hashOf(key));
    await changeElsewhere(sql, row.id);
    await heard;
    held.release();
    expect((await inFlight).result.code).toBe("VALID");

    vi.restoreAllMocks();
    expect((await verifyApiKey(key)).result.code).toBe(code);
    expect((await resolve(bearer(key), new Date())).principal).toBeNull();
  });

  test("a lookup that raced no change is cached: the next verification makes no query", async () => {
    const { user } = await newAccount();
    const { key } = await storeHeard(user.id);
    expect((await verifyApiKey(key)).result.code).toBe("VALID");
    const query = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(key)).result.code).toBe("VALID");
    expect(query).not.toHaveBeenCalled();
  });

  test("an uncached key's verification is a promise (it waits for the lookup); once cached, verifyApiKey and the Bearer resolver answer with values, VALID", async () => {
    const { user } = await newAccount();
    const { key } = await storeHeard(user.id);
    const first = verifyApiKey(key);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).result.code).toBe("VALID");
    const warm = verifyApiKey(key);
    expect(warm).not.toBeInstanceOf(Promise);
    expect(warm).toMatchObject({ result: { code: "VALID" } });
    const resolution = resolve(bearer(key), new Date());
    expect(resolution).not.toBeInstanceOf(Promise);
    expect(resolution).toMatchObject({ principal: { via: "key", user: { id: user.id } } });
  });
});

describe("verifications of one key that miss the cache at the same time", () => {
  /** How many key lookups verification sends from now on. */
  function keyLookups() {
    const query = vi.spyOn(getPool(), "query");
    const sent = () => query.mock.calls.filter(([config]) => (config as { name?: string } | undefined)?.name === "keysmith_verify_key").length;
    const before = sent();
    return () => sent() - before;
  }

  test("three verifications of an uncached key made while its lookup is in flight share that one lookup, and all three answer VALID", async () => {
    const { user } = await newAccount();
    const { key } = await storeHeard(user.id);
    const held = holdNextLookup();
    const lookups = keyLookups();
    // each as a promise: a miss is one, and Promise.all wants promises
    const answers = [1, 2, 3].map(() => Promise.resolve(verifyApiKey(key)));
    await held.hasRead;
    held.release();
    expect((await Promise.all(answers)).map((answer) => answer.result.code)).toEqual(["VALID", "VALID", "VALID"]);
    expect(lookups()).toBe(1);
  });

  test("a verification made after the key's notification does not share the lookup in flight before it: it makes a second lookup and answers REVOKED, while the earlier one answers VALID", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeHeard(user.id);
    const held = holdNextLookup();
    const lookups = keyLookups();
    const before = verifyApiKey(key);
    await held.hasRead;
    const heard = notified(hashOf(key));
    await changeElsewhere("UPDATE api_keys SET revoked_at = now() AT TIME ZONE 'UTC' WHERE id = $1", row.id);
    await heard;
    const after = verifyApiKey(key);
    held.release();
    expect((await after).result.code).toBe("REVOKED");
    expect((await before).result.code).toBe("VALID");
    expect(lookups()).toBe(2);
  });
});

describe("the repeated VALID answer of a cached key", () => {
  test("a cached key without credits answers VALID with one frozen result, the same object each time, marked repeated; after its name changes elsewhere, a new one with the new name", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeHeard(user.id);
    await verifyApiKey(key);
    const first = await verifyApiKey(key);
    const second = await verifyApiKey(key);
    expect(second.result).toBe(first.result);
    expect(Object.isFrozen(first.result)).toBe(true);
    expect(isRepeatedResult(first.result)).toBe(true);
    expect(first.result).toMatchObject({ code: "VALID", name: "k" });

    await changeElsewhere("UPDATE api_keys SET name = 'renamed' WHERE id = $1", row.id);
    await vi.waitFor(async () => {
      expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", name: "renamed" });
    }, { timeout: 5_000 });
    const renamed = await verifyApiKey(key);
    expect(renamed.result).not.toBe(first.result);
    expect(isRepeatedResult(renamed.result)).toBe(true);
  });

  test("a cached key with credits answers each VALID with a result of its own, not marked repeated, its remaining counting down", async () => {
    const { user } = await newAccount();
    const { key } = await storeHeard(user.id, { remaining: 5 });
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await verifyApiKey(key)).result);
    expect(results.map((result) => result.remaining)).toEqual([4, 3, 2]);
    expect(results.some((result) => isRepeatedResult(result))).toBe(false);
  });
});

describe("keys inserted elsewhere", () => {
  test("three keys inserted by one statement each reach an instance that cached them as NOT_FOUND: all three verify VALID", async () => {
    const { user } = await newAccount();
    await listenerConnected();
    const keys = [generateApiKey(), generateApiKey(), generateApiKey()];
    for (const key of keys) expect((await verifyApiKey(key)).result.code).toBe("NOT_FOUND");
    // one INSERT of three rows, as an import writes them: one statement-level trigger call notifies each hash
    await getPool().query(
      `INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes)
       SELECT $1, 'k', h, 'ak_x', ARRAY['keys:read'] FROM unnest($2::bytea[]) AS h`,
      [user.id, keys.map((key) => Buffer.from(hashApiKey(key)))],
    );
    await vi.waitFor(async () => {
      expect(await Promise.all(keys.map(async (key) => (await verifyApiKey(key)).result.code))).toEqual(["VALID", "VALID", "VALID"]);
    }, { timeout: 5_000 });
  });
});

describe("keys inserted elsewhere, many at a time", () => {
  /** Inserts `keys` for `userId` in one statement, as an import does. */
  async function insertInOneStatement(userId: number, keys: string[]) {
    await getPool().query(
      `INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes)
       SELECT $1, 'k', h, 'ak_x', ARRAY['keys:read'] FROM unnest($2::bytea[]) AS h`,
      [userId, keys.map((key) => Buffer.from(hashApiKey(key)))],
    );
  }

  test("400 keys inserted by one statement each reach an instance that cached them as NOT_FOUND: all 400 verify VALID", async () => {
    const { user } = await newAccount();
    await listenerConnected();
    const keys = Array.from({ length: 400 }, generateApiKey);
    for (const key of keys) expect((await verifyApiKey(key)).result.code).toBe("NOT_FOUND");
    await insertInOneStatement(user.id, keys);
    await vi.waitFor(async () => {
      const codes = await Promise.all(keys.map(async (key) => (await verifyApiKey(key)).result.code));
      expect(codes.filter((code) => code !== "VALID")).toEqual([]);
    }, { timeout: 5_000 });
  });

  test("an INSERT of 400 keys NOTIFYs keysmith_api_keys 3 times, each \"k:\" and at most 180 of their hashes joined by commas, together naming each key once; an INSERT of one key NOTIFYs its hash alone", async () => {
    const { user } = await newAccount();
    const heard: string[] = [];
    const listener = subscribe("keysmith_api_keys", { onMessage: (payload) => heard.push(payload), onGap: () => undefined });
    try {
      await vi.waitFor(() => expect(listener.connected).toBe(true), { timeout: 10_000, interval: 20 });
      const keys = Array.from({ length: 400 }, generateApiKey);
      const hashes = new Set(keys.map((key) => hashKeyOf(hashApiKey(key))));
      const single = generateApiKey();
      await insertInOneStatement(user.id, keys);
      await insertInOneStatement(user.id, [single]);
      await vi.waitFor(() => expect(heard).toContain(hashKeyOf(hashApiKey(single))), { timeout: 5_000 });

      // other tests' notifications may share the channel: only those naming these keys
      const ours = heard.filter((payload) => payload.slice(2).split(",").some((hash) => hashes.has(hash)));
      expect(ours).toHaveLength(3);
      for (const payload of ours) {
        expect(payload.startsWith("k:")).toBe(true);
        expect(payload.slice(2).split(",").length).toBeLessThanOrEqual(180);
      }
      const named = ours.flatMap((payload) => payload.slice(2).split(","));
      expect(named).toHaveLength(400);
      expect(new Set(named)).toEqual(hashes);
    } finally {
      await listener.stop();
    }
  });
});

describe("unknown keys are kept apart from known ones", () => {
  test("a flood of unknown keys evicts other unknown keys, never a known key", () => {
    const cache = new KeyCache({ maxKnown: 3, maxUnknown: 5 });
    const known = { found: true as const, id: 1, name: "k", scopes: [], expiresAt: null, revokedAt: null, rateLimitPerMinute: null, credited: false, refill: null, owner: { id: 1, username: "u", email: "e", name: "n", isStaff: false, isActive: true } };
    for (const hash of ["a", "b", "c"]) cache.settle(cache.beginLookup(hash), { ...known }, 0);
    for (let i = 0; i < 1_000; i += 1) cache.settle(cache.beginLookup(`invented-${i}`), { found: false }, 0);
    expect(["a", "b", "c"].map((hash) => cache.get(hash, 1)?.found)).toEqual([true, true, true]);
    expect([cache.known.size, cache.unknown.size]).toEqual([3, 5]);
    expect(cache.get("invented-999", 1)).toEqual({ found: false });
    expect(cache.get("invented-0", 1)).toBeUndefined();
  });
});

describe("failed Bearer attempts are throttled per client address", () => {
  test("after 30 unknown keys from one address, the next Bearer value is 429 without a lookup; another address is not affected", async () => {
    const { user } = await newAccount();
    const { key } = await storeKey(user.id);
    const now = new Date();
    for (let i = 0; i < 30; i += 1) {
      expect(await resolve(bearer(generateApiKey()), now, "198.18.0.1")).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED" } });
    }
    const query = vi.spyOn(getPool(), "query");
    const refused = await resolve(bearer(generateApiKey()), now, "198.18.0.1");
    expect(refused).toMatchObject({ principal: null, error: { code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 60 } } });
    expect(refused).toMatchObject({ error: { message: expect.stringMatching(/unknown tokens or keys from your address/) } });
    expect(query).not.toHaveBeenCalled();
    query.mockRestore();

    expect((await resolve(bearer(key), now, "198.18.0.2")).principal?.user.id).toBe(user.id);
    expect((await resolve(bearer(key), new Date(now.getTime() + 60_001), "198.18.0.1")).principal?.user.id).toBe(user.id);
  });

  test("from a throttled address, a key this instance holds as valid still works (no lookup), and one it does not hold is 429", async () => {
    const { user } = await newAccount();
    const cached = await storeHeard(user.id);
    const uncached = await storeHeard(user.id);
    await vi.waitFor(async () => {
      await verifyApiKey(cached.key);
      expect(keyCache.known.get(hashOf(cached.key), Date.now())).toBeDefined();
    }, { timeout: 2_000, interval: 10 });
    const now = new Date();
    for (let i = 0; i < 30; i += 1) await resolve(bearer(generateApiKey()), now, "198.18.2.1");

    const query = vi.spyOn(getPool(), "query");
    expect((await resolve(bearer(cached.key), now, "198.18.2.1")).principal?.user.id).toBe(user.id);
    expect(query).not.toHaveBeenCalled();
    expect(await resolve(bearer(uncached.key), now, "198.18.2.1")).toMatchObject({ principal: null, error: { code: "TOO_MANY_REQUESTS" } });
  });

  test("unknown access tokens count too; expired or revoked keys (which exist) do not", async () => {
    const { user } = await newAccount();
    const revoked = await storeKey(user.id, { revokedAt: new Date(Date.now() - 1000) });
    const now = new Date();
    for (let i = 0; i < 40; i += 1) {
      expect(await resolve(bearer(revoked.key), now, "198.18.1.1")).toMatchObject({ error: { code: "UNAUTHORIZED", message: expect.stringMatching(/revoked/) } });
    }
    for (let i = 0; i < 30; i += 1) await resolve(bearer("aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb"), now, "198.18.1.2");
    expect(await resolve(bearer(generateApiKey()), now, "198.18.1.2")).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
  });
});

test("cacheKeyOfKey names a key as hashKeyOf(hashApiKey(key)) does, for a Keysmith key, a foreign one and non-ASCII text", () => {
  for (const key of [generateApiKey(), "sk_live_51HxYz-imported_from_elsewhere", "clé-🔑"]) {
    expect(cacheKeyOfKey(key)).toBe(hashKeyOf(hashApiKey(key)));
  }
});
