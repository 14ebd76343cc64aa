import { generateApiKey, hashApiKey, keyEventsStatus, usage, verifyApiKey } from "@keysmith/auth";
import { getDb, getPool } from "@keysmith/db";
import { afterEach, describe, expect, onTestFinished, test, vi } from "vitest";

import { callerFor, resolve, signedUpCaller } from "./helpers.ts";

const HOUR = 3_600_000;
const later = (ms: number) => new Date(Date.now() + ms);

async function keyCaller(key: string) {
  const { principal } = await resolve(new Headers({ authorization: `Bearer ${key}` }));
  return callerFor({ principal });
}

/** The verification listener connects in the background; wait until it has. */
async function listenerConnected() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = vi.spyOn(getPool(), "query");
    const key = generateApiKey();
    await verifyApiKey(key);
    await verifyApiKey(key);
    const calls = probe.mock.calls.length;
    probe.mockRestore();
    if (calls === 1) return;
    if (Date.now() > deadline) throw new Error("the key-events listener never connected");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("verify: one code for each outcome", () => {
  test("VALID, with the key's id, name, owner, expiry and scopes", async () => {
    const { caller, user } = await signedUpCaller();
    const expiresAt = later(24 * HOUR);
    const created = await caller.apiKeys.create({ name: "verified", expires_at: expiresAt.toISOString(), scopes: ["keys:read"] });
    expect(await caller.apiKeys.verify({ key: created.key })).toEqual({
      valid: true,
      code: "VALID",
      id: created.id,
      name: "verified",
      owner_id: user.id,
      expires_at: expiresAt.toISOString(),
      scopes: ["keys:read"],
      remaining: null,
      retry_after_seconds: null,
    });
  });

  test.each([
    ["a wrong length", () => generateApiKey().slice(0, -2)],
    ["a bad checksum", () => { const k = generateApiKey(); return k.slice(0, 20) + (k[20] === "a" ? "b" : "a") + k.slice(21); }],
    ["non-ASCII", () => `ak_${"é".repeat(43)}`],
    ["a megabyte", () => `ak_${"A".repeat(1024 * 1024)}`],
    ["an empty string", () => ""],
  ])("MALFORMED for %s, without touching the database", async (_, make) => {
    const { caller } = await signedUpCaller();
    const query = vi.spyOn(getPool(), "query");
    expect(await caller.apiKeys.verify({ key: make() })).toEqual({
      valid: false, code: "MALFORMED", id: null, name: null, owner_id: null, expires_at: null, scopes: null, remaining: null, retry_after_seconds: null,
    });
    expect(query).not.toHaveBeenCalled();
  });

  test("MALFORMED for a wrong prefix, after one lookup among keys imported in another format (which such a value could be)", async () => {
    const { caller } = await signedUpCaller();
    const query = vi.spyOn(getPool(), "query");
    expect(await caller.apiKeys.verify({ key: `sk_${generateApiKey().slice(3)}` })).toEqual({
      valid: false, code: "MALFORMED", id: null, name: null, owner_id: null, expires_at: null, scopes: null, remaining: null, retry_after_seconds: null,
    });
    expect(query.mock.calls.map(([statement]) => (statement as { name?: string }).name)).toEqual(["keysmith_verify_foreign_key"]);
  });

  test("NOT_FOUND for a well-formed key that does not exist, or no longer does", async () => {
    const { caller } = await signedUpCaller();
    expect(await caller.apiKeys.verify({ key: generateApiKey() })).toMatchObject({ valid: false, code: "NOT_FOUND" });
    const created = await caller.apiKeys.create({ name: "gone" });
    await caller.apiKeys.delete({ id: created.id });
    expect(await caller.apiKeys.verify({ key: created.key })).toMatchObject({ valid: false, code: "NOT_FOUND" });
  });

  test("EXPIRED once expires_at has passed", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "brief", expires_at: later(HOUR).toISOString() });
    expect((await verifyApiKey(created.key, { now: later(HOUR - 1000) })).result.code).toBe("VALID");
    expect((await verifyApiKey(created.key, { now: later(HOUR + 1000) })).result).toMatchObject({ valid: false, code: "EXPIRED", id: created.id });
  });

  test("REVOKED after revoke, which keeps the row and shows it as revoked", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "to revoke" });
    expect((await caller.apiKeys.verify({ key: created.key })).code).toBe("VALID");
    const revoked = await caller.apiKeys.revoke({ id: created.id });
    expect(revoked.revokedAt).not.toBeNull();
    expect((await caller.apiKeys.verify({ key: created.key })).code).toBe("REVOKED");
    expect((await caller.apiKeys.list()).items.map((k) => [k.id, k.revokedAt !== null])).toEqual([[created.id, true]]);
  });

  test("INSUFFICIENT_SCOPE when the key lacks a scope the caller requires", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "reader", scopes: ["keys:read"] });
    expect((await caller.apiKeys.verify({ key: created.key, scopes: ["keys:read"] })).code).toBe("VALID");
    expect(await caller.apiKeys.verify({ key: created.key, scopes: ["keys:read", "keys:write"] })).toMatchObject({
      valid: false, code: "INSUFFICIENT_SCOPE", scopes: ["keys:read"],
    });
  });

  test("anonymous callers cannot verify (no guessing oracle)", async () => {
    await expect(callerFor().caller.apiKeys.verify({ key: generateApiKey() })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("roll", () => {
  test("without grace: the old key is revoked at once; the new one has the same name, description, scopes and expiry", async () => {
    const { caller } = await signedUpCaller();
    const expires = later(48 * HOUR).toISOString();
    const old = await caller.apiKeys.create({ name: "rolling", description: "desc", scopes: ["keys:read", "keys:verify"], expires_at: expires });
    const rolled = await caller.apiKeys.roll({ id: old.id, grace_seconds: 0 });
    expect(rolled).toMatchObject({ name: "rolling", description: "desc", scopes: ["keys:read", "keys:verify"], expires_at: expires, replaces: { id: old.id } });
    expect(rolled.key).not.toBe(old.key);
    expect((await caller.apiKeys.verify({ key: old.key })).code).toBe("REVOKED");
    expect((await caller.apiKeys.verify({ key: rolled.key })).code).toBe("VALID");
  });

  test("with grace: the old key works until the grace period ends", async () => {
    const { caller } = await signedUpCaller();
    const old = await caller.apiKeys.create({ name: "graceful" });
    const rolled = await caller.apiKeys.roll({ id: old.id, grace_seconds: 3600 });
    expect(Date.parse(rolled.replaces.revoked_at) - Date.now()).toBeGreaterThan(3590 * 1000);
    expect((await caller.apiKeys.verify({ key: old.key })).code).toBe("VALID");
    expect((await verifyApiKey(old.key, { now: later(3590 * 1000) })).result.code).toBe("VALID");
    expect((await verifyApiKey(old.key, { now: later(3601 * 1000) })).result.code).toBe("REVOKED");
    expect((await verifyApiKey(rolled.key, { now: later(3601 * 1000) })).result.code).toBe("VALID");
  });

  test("a revoked key cannot be rolled; grace cannot be negative or over 30 days", async () => {
    const { caller } = await signedUpCaller();
    const old = await caller.apiKeys.create({ name: "done" });
    await expect(caller.apiKeys.roll({ id: old.id, grace_seconds: -1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.apiKeys.roll({ id: old.id, grace_seconds: 31 * 86_400 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await caller.apiKeys.revoke({ id: old.id });
    await expect(caller.apiKeys.roll({ id: old.id, grace_seconds: 0 })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await caller.apiKeys.list()).items).toHaveLength(1);
  });
});

describe("scopes on every procedure", () => {
  test("a keys:read key can list but not change anything", async () => {
    const { caller } = await signedUpCaller();
    const reader = await caller.apiKeys.create({ name: "reader", scopes: ["keys:read"] });
    const target = await caller.apiKeys.create({ name: "target" });
    const asReader = (await keyCaller(reader.key)).caller;

    expect((await asReader.apiKeys.list()).items).toHaveLength(2);
    await expect(asReader.apiKeys.create({ name: "x" })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/keys:write/) });
    await expect(asReader.apiKeys.delete({ id: target.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asReader.apiKeys.revoke({ id: target.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asReader.apiKeys.roll({ id: target.id, grace_seconds: 0 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asReader.apiKeys.verify({ key: target.key })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/keys:verify/) });
    expect((await caller.apiKeys.verify({ key: target.key })).code).toBe("VALID");
  });

  test("a keys:verify key can verify and nothing else", async () => {
    const { caller } = await signedUpCaller();
    const verifier = await caller.apiKeys.create({ name: "verifier", scopes: ["keys:verify"] });
    const asVerifier = (await keyCaller(verifier.key)).caller;
    expect((await asVerifier.apiKeys.verify({ key: verifier.key })).code).toBe("VALID");
    await expect(asVerifier.apiKeys.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  test("a keys:write key rolling a full-scope key is FORBIDDEN and the target keeps working", async () => {
    const { caller } = await signedUpCaller();
    const writer = await caller.apiKeys.create({ name: "writer", scopes: ["keys:write"] });
    const full = await caller.apiKeys.create({ name: "full" });
    const asWriter = (await keyCaller(writer.key)).caller;
    await expect(asWriter.apiKeys.roll({ id: full.id, grace_seconds: 0 })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/cannot roll a key with scopes it does not have: keys:read, keys:verify/),
    });
    expect((await caller.apiKeys.verify({ key: full.key })).code).toBe("VALID");
    expect((await caller.apiKeys.list()).items).toHaveLength(2);
  });

  test("a key can only issue keys with scopes it has", async () => {
    const { caller } = await signedUpCaller();
    const writer = await caller.apiKeys.create({ name: "writer", scopes: ["keys:read", "keys:write"] });
    const asWriter = (await keyCaller(writer.key)).caller;
    await expect(asWriter.apiKeys.create({ name: "escalate" })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/keys:verify/) });
    expect(await asWriter.apiKeys.create({ name: "narrow", scopes: ["keys:read"] })).toMatchObject({ name: "narrow" });
  });

  test("unknown scopes are refused", async () => {
    const { caller } = await signedUpCaller();
    await expect(caller.apiKeys.create({ name: "x", scopes: ["admin"] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("the fast path", () => {
  test("a warm verification makes no database round trip", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "warm" });
    await listenerConnected();
    await verifyApiKey(created.key);
    const query = vi.spyOn(getPool(), "query");
    for (let i = 0; i < 5; i += 1) expect((await verifyApiKey(created.key)).result.code).toBe("VALID");
    expect(query).not.toHaveBeenCalled();
  });

  test("revoke and delete take effect at once on this instance despite the cache", async () => {
    const { caller } = await signedUpCaller();
    await listenerConnected();
    const a = await caller.apiKeys.create({ name: "a" });
    const b = await caller.apiKeys.create({ name: "b" });
    expect((await verifyApiKey(a.key)).result.code).toBe("VALID");
    expect((await verifyApiKey(b.key)).result.code).toBe("VALID");
    await caller.apiKeys.revoke({ id: a.id });
    await caller.apiKeys.delete({ id: b.id });
    expect((await verifyApiKey(a.key)).result.code).toBe("REVOKED");
    expect((await verifyApiKey(b.key)).result.code).toBe("NOT_FOUND");
  });

  test("a change made elsewhere (another instance, or plain SQL) reaches this cache through the database's NOTIFY", async () => {
    const { caller } = await signedUpCaller();
    await listenerConnected();
    const created = await caller.apiKeys.create({ name: "elsewhere" });
    expect((await verifyApiKey(created.key)).result.code).toBe("VALID");
    // the row alone: the trigger sends the notification in the same transaction
    await getPool().query("UPDATE api_keys SET revoked_at = now() AT TIME ZONE 'UTC' WHERE id = $1", [created.id]);
    await vi.waitFor(async () => {
      expect((await verifyApiKey(created.key)).result.code).toBe("REVOKED");
    }, { timeout: 1000, interval: 20 });
  });

  test("a cached NOT_FOUND never outlives the key's creation, even by plain SQL", async () => {
    const { user } = await signedUpCaller();
    await listenerConnected();
    // the impossible-in-practice worst case: a key verified before it exists
    const key = generateApiKey();
    expect((await verifyApiKey(key)).result.code).toBe("NOT_FOUND");
    const query = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(key)).result.code).toBe("NOT_FOUND");
    expect(query).not.toHaveBeenCalled(); // the negative result is cached
    query.mockRestore();

    await getPool().query("INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes) VALUES ($1, 'late', $2, 'ak_late', ARRAY['keys:read'])", [user.id, Buffer.from(hashApiKey(key))]);
    await vi.waitFor(async () => {
      expect((await verifyApiKey(key)).result.code).toBe("VALID");
    }, { timeout: 1000, interval: 20 });
  });

  test("while the listener is reconnecting the cache is bypassed (a key revoked meanwhile is refused at once), and used again once it is back", async () => {
    const { caller } = await signedUpCaller();
    await listenerConnected();
    const revoked = await caller.apiKeys.create({ name: "revoked while down" });
    const kept = await caller.apiKeys.create({ name: "kept" });
    await vi.waitFor(async () => {
      await verifyApiKey(revoked.key);
      const probe = vi.spyOn(getPool(), "query");
      expect((await verifyApiKey(revoked.key)).result.code).toBe("VALID");
      expect(probe).not.toHaveBeenCalled();
      probe.mockRestore();
    }, { timeout: 2_000, interval: 10 });

    await getPool().query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`keysmith-listen-keysmith_api_keys-${process.pid}`]);
    await vi.waitFor(() => expect(keyEventsStatus().state).toBe("reconnecting"), { timeout: 2_000, interval: 2 });
    // its notification goes to no one here: only the bypass can make this instance see it
    await getPool().query("UPDATE api_keys SET revoked_at = now() AT TIME ZONE 'UTC' WHERE id = $1", [revoked.id]);
    const bypass = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(revoked.key)).result.code).toBe("REVOKED");
    expect(bypass).toHaveBeenCalled();
    bypass.mockRestore();

    await listenerConnected();
    await verifyApiKey(kept.key);
    const cached = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(kept.key)).result.code).toBe("VALID");
    expect(cached).not.toHaveBeenCalled();
  });
});

describe("last used", () => {
  test("is kept in memory by verifications, then written by the usage flush; a second flush has nothing to write", async () => {
    // The shared recorder's periodic flush (every 5 s, started by earlier tests) could otherwise write between the
    // verifications and the checks of what is pending. stop() ends that timer and writes what earlier tests left;
    // the first verification below starts it again, at the hour this setting allows, far longer than the test.
    vi.stubEnv("KEYSMITH_USAGE_FLUSH_MS", String(HOUR));
    onTestFinished(async () => {
      vi.unstubAllEnvs();
      // so later tests get the usual timer back
      await usage.stop();
    });
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "busy" });
    await usage.stop();
    for (let i = 0; i < 20; i += 1) await verifyApiKey(created.key);
    expect((await getDb().apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toBeNull();
    expect(usage.pendingLastUsedCount).toBeGreaterThan(0);

    expect(await usage.flush()).toBeGreaterThanOrEqual(1);
    const [summary] = (await caller.apiKeys.list()).items;
    expect(summary?.lastUsedAt).not.toBeNull();
    expect(Math.abs(Date.parse(summary?.lastUsedAt ?? "") - Date.now())).toBeLessThan(60_000);
    // nothing left to write
    expect(await usage.flush()).toBe(0);
    expect(usage.pendingLastUsedCount).toBe(0);
  });

  test("a verification of a revoked key leaves no last use pending", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "revoked early" });
    await caller.apiKeys.revoke({ id: created.id });
    await usage.flush();
    await verifyApiKey(created.key);
    expect(usage.pendingLastUsedCount).toBe(0);
  });
});

describe("rate limits", () => {
  test("RATE_LIMITED past the key's limit in a minute, with Retry-After until the sliding minute has room, and VALID then", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "limited", rate_limit_per_minute: 3 });
    const minute = Date.UTC(2030, 0, 1, 0, 0);
    const at = (ms: number) => new Date(minute + ms);
    for (let i = 0; i < 3; i += 1) expect((await verifyApiKey(created.key, { now: at(1000 + i) })).result.code).toBe("VALID");
    const over = await verifyApiKey(created.key, { now: at(20_000) });
    expect(over.result).toMatchObject({ valid: false, code: "RATE_LIMITED", id: created.id });
    // 40 s to the next minute, then 20 s until the last minute's 3 weigh 2 (3 × 2/3) and leave room for one
    expect(over.result.retry_after_seconds).toBe(60);
    expect((await verifyApiKey(created.key, { now: at(60_000) })).result.code).toBe("RATE_LIMITED");
    expect((await verifyApiKey(created.key, { now: at(80_000) })).result.code).toBe("VALID");
    expect((await caller.apiKeys.list()).items[0]?.rateLimitPerMinute).toBe(3);
  });

  test("a key without a limit is never rate limited, and a roll keeps the limit", async () => {
    const { caller } = await signedUpCaller();
    const free = await caller.apiKeys.create({ name: "free" });
    const now = new Date(Date.UTC(2030, 0, 1, 0, 5));
    for (let i = 0; i < 50; i += 1) expect((await verifyApiKey(free.key, { now })).result.code).toBe("VALID");
    const limited = await caller.apiKeys.create({ name: "limited", rate_limit_per_minute: 10 });
    expect((await caller.apiKeys.roll({ id: limited.id, grace_seconds: 0 })).rate_limit_per_minute).toBe(10);
  });

  test.each([0, -1, 1.5, 2_000_000])("refuses a limit of %s", async (limit) => {
    const { caller } = await signedUpCaller();
    await expect(caller.apiKeys.create({ name: "x", rate_limit_per_minute: limit })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
