import { getDb, getPool } from "@keysmith/db";
import { ZUpdateApiKeyFields } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { getApiKey, revokeApiKey, rollApiKey, updateApiKey, verifyKey } from "../src/index.ts";
import { create, keyPrincipal, ownerPrincipal } from "./helpers.ts";

const HOUR = 3_600_000;
const fields = (input: Record<string, unknown>) => ZUpdateApiKeyFields.parse(input);

describe("updateApiKey", () => {
  test("changes only the fields given; null clears description, expiry and rate limit", async () => {
    const owner = await ownerPrincipal();
    const expiresAt = new Date(Date.now() + 48 * HOUR);
    const key = await create(owner, { name: "old", description: "kept", expires_at: expiresAt, rate_limit_per_minute: 10 });

    const renamed = await updateApiKey({ principal: owner, id: key.id, fields: fields({ name: "new" }), now: new Date() });
    expect(renamed).toMatchObject({ name: "new", description: "kept", expiresAt: expiresAt.toISOString(), rateLimitPerMinute: 10 });
    const cleared = await updateApiKey({ principal: owner, id: key.id, fields: fields({ description: null, expires_at: null, rate_limit_per_minute: null }), now: new Date() });
    expect(cleared).toMatchObject({ name: "new", description: null, expiresAt: null, rateLimitPerMinute: null, status: "active" });
  });

  test("an empty change is refused by the schema with a message naming the fields", () => {
    const result = ZUpdateApiKeyFields.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at least one field.*name, description, expires_at, rate_limit_per_minute, remaining, refill or scopes/);
  });

  test("an empty scope list and a rate limit of 0 are refused with update's advice (revoke; null for no limit), not create's (leave it out)", () => {
    const result = ZUpdateApiKeyFields.safeParse({ scopes: [], rate_limit_per_minute: 0 });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      "rate_limit_per_minute must be at least 1; send null for no limit.",
      "A key needs at least one scope; to stop a key working, revoke it.",
    ]);
  });

  test("scopes narrow; a scope the key lacks is FORBIDDEN naming it, and nothing changes", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "k", scopes: ["keys:read", "keys:verify"] });
    expect(await updateApiKey({ principal: owner, id: key.id, fields: fields({ scopes: ["keys:verify"] }), now: new Date() })).toMatchObject({ scopes: ["keys:verify"] });
    await expect(updateApiKey({ principal: owner, id: key.id, fields: fields({ scopes: ["keys:verify", "keys:read"], name: "renamed" }), now: new Date() })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: { scopes: [expect.stringMatching(/only be narrowed: this key does not have keys:read/)] } },
    });
    expect(await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({ name: "k", scopes: ["keys:verify"] });
  });

  test("a key caller cannot lengthen a key's life or raise its limit beyond its own bounds, but may rename a stronger key", async () => {
    const owner = await ownerPrincipal();
    const ends = new Date(Date.now() + 2 * HOUR);
    const writer = await create(owner, { name: "writer", scopes: ["keys:write"], expires_at: ends, rate_limit_per_minute: 5 });
    const full = await create(owner, { name: "full", expires_at: new Date(Date.now() + HOUR), rate_limit_per_minute: 2 });
    const asWriter = await keyPrincipal(writer.key);

    await expect(updateApiKey({ principal: asWriter, id: full.id, fields: fields({ expires_at: null }), now: new Date() })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: { expires_at: [expect.stringMatching(/cannot change a key that never expires/)] } },
    });
    await expect(updateApiKey({ principal: asWriter, id: full.id, fields: fields({ rate_limit_per_minute: 6 }), now: new Date() })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: { rate_limit_per_minute: [expect.stringMatching(/allows 5 verifications a minute/)] } },
    });
    expect(await updateApiKey({ principal: asWriter, id: full.id, fields: fields({ name: "renamed" }), now: new Date() })).toMatchObject({ name: "renamed" });
  });

  test("an unbounded key with fewer scopes cannot lift a stronger key's expiry or limit: FORBIDDEN on scopes, and nothing changes", async () => {
    const owner = await ownerPrincipal();
    const writer = await create(owner, { name: "writer", scopes: ["keys:write"] });
    const full = await create(owner, { name: "full", expires_at: new Date(Date.now() + HOUR), rate_limit_per_minute: 2 });
    const asWriter = await keyPrincipal(writer.key);

    for (const change of [{ expires_at: null }, { rate_limit_per_minute: null }, { rate_limit_per_minute: 3 }]) {
      await expect(updateApiKey({ principal: asWriter, id: full.id, fields: fields(change), now: new Date() })).rejects.toMatchObject({
        code: "FORBIDDEN",
        details: { fields: { scopes: [expect.stringMatching(/scopes it does not have: keys:read, keys:verify/)] } },
      });
    }
    expect(await getDb().apiKey.findUniqueOrThrow({ where: { id: full.id } })).toMatchObject({ rateLimitPerMinute: 2, expiresAt: expect.any(Date) });
  });

  test("a key caller may weaken a stronger key: an earlier expiry, a tighter limit, narrower scopes", async () => {
    const owner = await ownerPrincipal();
    const writer = await create(owner, { name: "writer", scopes: ["keys:write"], expires_at: new Date(Date.now() + HOUR), rate_limit_per_minute: 1 });
    const full = await create(owner, { name: "full" });
    const asWriter = await keyPrincipal(writer.key);
    const sooner = new Date(Date.now() + 2 * HOUR);
    expect(
      await updateApiKey({ principal: asWriter, id: full.id, fields: fields({ expires_at: sooner.toISOString(), rate_limit_per_minute: 50, scopes: ["keys:read", "keys:verify"] }), now: new Date() }),
    ).toMatchObject({ expiresAt: sooner.toISOString(), rateLimitPerMinute: 50, scopes: ["keys:read", "keys:verify"] });
  });

  test("a past expiry is BAD_REQUEST on expires_at", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "k" });
    await expect(updateApiKey({ principal: owner, id: key.id, fields: fields({ expires_at: new Date(Date.now() - 1000).toISOString() }), now: new Date() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      details: { fields: { expires_at: ["expires_at must be in the future."] } },
    });
  });

  test("a revoked key can be renamed, but changing its expiry is CONFLICT", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "k" });
    await revokeApiKey({ principal: owner, id: key.id, now: new Date() });
    expect(await updateApiKey({ principal: owner, id: key.id, fields: fields({ name: "gone" }), now: new Date() })).toMatchObject({ name: "gone", status: "revoked" });
    await expect(updateApiKey({ principal: owner, id: key.id, fields: fields({ expires_at: null }), now: new Date() })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  test("another user's key is NOT_FOUND", async () => {
    const owner = await ownerPrincipal();
    const key = await create(await ownerPrincipal(), { name: "theirs" });
    await expect(updateApiKey({ principal: owner, id: key.id, fields: fields({ name: "mine" }), now: new Date() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("a narrowed scope takes effect for a key verified just before the change", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "k", scopes: ["keys:read", "keys:verify"] });
    const verify = async () => (await verifyKey({ principal: owner, input: { key: key.key, scopes: ["keys:read"] } })).result;
    expect(await verify()).toMatchObject({ valid: true });
    await updateApiKey({ principal: owner, id: key.id, fields: fields({ scopes: ["keys:verify"] }), now: new Date() });
    expect(await verify()).toMatchObject({ valid: false, code: "INSUFFICIENT_SCOPE" });
  });
});

describe("getApiKey", () => {
  test("shows the roll lineage both ways, and the link is gone once the old key is deleted", async () => {
    const owner = await ownerPrincipal();
    const old = await create(owner, { name: "old" });
    const now = new Date();
    const rolled = await rollApiKey({ principal: owner, id: old.id, graceSeconds: 60, now });

    const oldDetail = await getApiKey({ principal: owner, id: old.id, now });
    expect(oldDetail).toMatchObject({ status: "rolling", rolledAt: now.toISOString(), replaces: null, replacedBy: { id: rolled.id, name: "old", status: "active" } });
    const newDetail = await getApiKey({ principal: owner, id: rolled.id, now });
    expect(newDetail).toMatchObject({ replacesId: old.id, replaces: { id: old.id, status: "rolling" }, replacedBy: null });

    await getDb().apiKey.delete({ where: { id: old.id } });
    expect(await getApiKey({ principal: owner, id: rolled.id, now })).toMatchObject({ replacesId: null, replaces: null });
  });
});

describe("a roll racing an update", () => {
  test("a roll whose claim waits behind an update narrowing the key's scopes is CONFLICT, and no successor copies the old scopes", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "raced", scopes: ["keys:read", "keys:verify"] });
    // hold the row, as an update in flight does, so the roll's claim waits for it
    const client = await getPool().connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE", [key.id]);
      const roll = rollApiKey({ principal: owner, id: key.id, graceSeconds: 0, now: new Date() }).then(
        () => "rolled",
        (error: unknown) => (error as { code?: string }).code,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query("UPDATE api_keys SET scopes = ARRAY['keys:verify'] WHERE id = $1", [key.id]);
      await client.query("COMMIT");
      expect(await roll).toBe("CONFLICT");
    } finally {
      client.release();
    }
    expect(await getDb().apiKey.count({ where: { replacesId: key.id } })).toBe(0);
  });
});
