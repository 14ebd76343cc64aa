import { getDb } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { rollApiKey } from "../src/index.ts";
import { create, keyPrincipal, ownerPrincipal } from "./helpers.ts";

const HOUR = 3_600_000;

describe("a key can never mint a stronger one", () => {
  test("a keys:write key cannot roll a full-scope key: FORBIDDEN naming the scopes, and nothing is written", async () => {
    const owner = await ownerPrincipal();
    const writer = await create(owner, { name: "writer", scopes: ["keys:write"] });
    const full = await create(owner, { name: "full" });
    const asWriter = await keyPrincipal(writer.key);

    await expect(rollApiKey({ principal: asWriter, id: full.id, graceSeconds: 0, now: new Date() })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: { scopes: [expect.stringMatching(/scopes it does not have: keys:read, keys:verify/)] } },
    });
    const rows = await getDb().apiKey.findMany({ where: { userId: owner.user.id }, orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.name, row.revokedAt, row.rolledAt])).toEqual([
      ["writer", null, null],
      ["full", null, null],
    ]);
  });

  test("a key may roll a key with no more power than itself, itself included", async () => {
    const owner = await ownerPrincipal();
    const expiresAt = new Date(Date.now() + 2 * HOUR);
    const writer = await create(owner, { name: "writer", scopes: ["keys:write"], expires_at: expiresAt, rate_limit_per_minute: 5 });
    const weaker = await create(owner, { name: "weaker", scopes: ["keys:write"], expires_at: new Date(Date.now() + HOUR), rate_limit_per_minute: 2 });
    const asWriter = await keyPrincipal(writer.key);

    expect(await rollApiKey({ principal: asWriter, id: weaker.id, graceSeconds: 0, now: new Date() })).toMatchObject({ scopes: ["keys:write"], rate_limit_per_minute: 2 });
    expect(await rollApiKey({ principal: asWriter, id: writer.id, graceSeconds: 60, now: new Date() })).toMatchObject({
      scopes: ["keys:write"],
      expires_at: expiresAt.toISOString(),
      rate_limit_per_minute: 5,
    });
  });

  test("a short-lived, rate-limited key cannot create a key without expiry or limit, or beyond its own", async () => {
    const owner = await ownerPrincipal();
    const parentEnds = new Date(Date.now() + HOUR);
    const parent = await create(owner, { name: "parent", expires_at: parentEnds, rate_limit_per_minute: 5 });
    const asParent = await keyPrincipal(parent.key);

    await expect(create(asParent, { name: "forever" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: {
        fields: {
          expires_at: [expect.stringMatching(/cannot issue a key that never expires: set expires_at to .* or earlier/)],
          rate_limit_per_minute: [expect.stringMatching(/cannot issue a key with no limit: set rate_limit_per_minute to 5 or less/)],
        },
      },
    });
    await expect(create(asParent, { name: "later", expires_at: new Date(parentEnds.getTime() + 1000), rate_limit_per_minute: 5 })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: { expires_at: [expect.stringMatching(/outlives it/)] } },
    });
    await expect(create(asParent, { name: "faster", expires_at: parentEnds, rate_limit_per_minute: 6 })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: { rate_limit_per_minute: [expect.stringMatching(/a limit of 6/)] } },
    });
    expect(await getDb().apiKey.count({ where: { userId: owner.user.id } })).toBe(1);

    const child = await create(asParent, { name: "bounded", expires_at: parentEnds, rate_limit_per_minute: 5 });
    const stored = await getDb().apiKey.findUniqueOrThrow({ where: { id: child.id } });
    expect([stored.expiresAt?.toISOString(), stored.rateLimitPerMinute]).toEqual([parentEnds.toISOString(), 5]);
  });

  test("a key in its roll grace period bounds its children by the end of that grace", async () => {
    const owner = await ownerPrincipal();
    const old = await create(owner, { name: "rolling" });
    const rolled = await rollApiKey({ principal: owner, id: old.id, graceSeconds: 600, now: new Date() });
    const graceEnd = new Date(rolled.replaces.revoked_at);
    const asOld = await keyPrincipal(old.key);

    await expect(create(asOld, { name: "escape" })).rejects.toMatchObject({ code: "FORBIDDEN", details: { fields: { expires_at: [expect.any(String)] } } });
    expect(await create(asOld, { name: "within", expires_at: graceEnd })).toMatchObject({ name: "within" });
  });

  test("an access token is its user: it may create a key without expiry or limit", async () => {
    const owner = await ownerPrincipal();
    expect(await create(owner, { name: "unbounded" })).toMatchObject({ name: "unbounded" });
  });
});

describe("rolling", () => {
  test("of 5 concurrent rolls of one key exactly one wins; the others are CONFLICT and leave no successor", async () => {
    const owner = await ownerPrincipal();
    const old = await create(owner, { name: "contested" });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => rollApiKey({ principal: owner, id: old.id, graceSeconds: 60, now: new Date() })),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === "rejected")) {
      expect(outcome.reason).toMatchObject({ code: "CONFLICT" });
    }
    expect(await getDb().apiKey.count({ where: { userId: owner.user.id } })).toBe(2);
  });

  test("a key already rolled cannot be rolled again: CONFLICT pointing at its successor", async () => {
    const owner = await ownerPrincipal();
    const old = await create(owner, { name: "once" });
    await rollApiKey({ principal: owner, id: old.id, graceSeconds: 3600, now: new Date() });
    await expect(rollApiKey({ principal: owner, id: old.id, graceSeconds: 0, now: new Date() })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already been rolled; roll its successor/),
    });
    expect(await getDb().apiKey.count({ where: { userId: owner.user.id } })).toBe(2);
  });

  test("an expired key cannot be rolled: CONFLICT, and nothing is written", async () => {
    const owner = await ownerPrincipal();
    const created = new Date(Date.now() - 2 * HOUR);
    const old = await create(owner, { name: "lapsed", expires_at: new Date(created.getTime() + HOUR) }, created);
    await expect(rollApiKey({ principal: owner, id: old.id, graceSeconds: 0, now: new Date() })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/has expired; create a new key/),
    });
    expect(await getDb().apiKey.count({ where: { userId: owner.user.id } })).toBe(1);
  });
});

describe("refills across intervals", () => {
  test("a key refilled daily cannot create one refilled monthly: FORBIDDEN naming refill, saying a refill keeps the key's interval", async () => {
    const owner = await ownerPrincipal();
    const daily = await create(owner, { name: "daily", remaining: 1000, refill: { amount: 1000, interval: "day" } });
    const asDaily = await keyPrincipal(daily.key);
    await expect(create(asDaily, { name: "monthly", remaining: 500, refill: { amount: 500, interval: "month" } })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: {
        fields: {
          refill: [`This API key is refilled with 1000 credits a day, so it cannot issue a key refilled by the month (a refill keeps this key's interval): set refill to at most {"amount": 1000, "interval": "day"}.`],
        },
      },
    });
  });
});
