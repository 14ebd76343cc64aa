import { getDb } from "@keysmith/db";
import { ZCreateApiKeyInput, ZUpdateApiKeyFields } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { getApiKey, rollApiKey, updateApiKey, verifyKey } from "../src/index.ts";
import { create, keyPrincipal, ownerPrincipal } from "./helpers.ts";

const fields = (raw: unknown) => ZUpdateApiKeyFields.parse(raw);
const verify = async (principal: Awaited<ReturnType<typeof ownerPrincipal>>, key: string) => (await verifyKey({ principal, input: { key } })).result;

describe("credits on keys", () => {
  test("a key created with 100 credits and a monthly refill of 100 shows both; a PATCH to 5 shows 5; remaining null makes it unlimited and drops the refill", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "credited", remaining: 100, refill: { amount: 100, interval: "month" } });
    expect(await getApiKey({ principal: owner, id: key.id, now: new Date() })).toMatchObject({ remaining: 100, refill: { amount: 100, interval: "month" } });
    expect(await updateApiKey({ principal: owner, id: key.id, fields: fields({ remaining: 5 }), now: new Date() })).toMatchObject({ remaining: 5, refill: { amount: 100, interval: "month" } });
    expect(await updateApiKey({ principal: owner, id: key.id, fields: fields({ remaining: null }), now: new Date() })).toMatchObject({ remaining: null, refill: null });
  });

  test("a refill without credits is refused: by the schema at creation, and by the update of a key that has none", async () => {
    const atCreation = ZCreateApiKeyInput.safeParse({ name: "k", refill: { amount: 5, interval: "day" } });
    expect(atCreation.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["refill", "A refill needs credits to refill: set remaining too."]]);
    const owner = await ownerPrincipal();
    const unlimited = await create(owner, { name: "unlimited" });
    await expect(updateApiKey({ principal: owner, id: unlimited.id, fields: fields({ refill: { amount: 5, interval: "day" } }), now: new Date() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      details: { fields: { refill: ["A refill needs credits to refill: set remaining too."] } },
    });
  });

  test("a key with 10 credits cannot issue a key with more, unlimited, or refilled; it may issue one with 10", async () => {
    const owner = await ownerPrincipal();
    const parent = await create(owner, { name: "parent", remaining: 11 });
    // resolving the parent as a Bearer credential spends one: 10 left
    const asParent = await keyPrincipal(parent.key);
    for (const [input, field] of [
      [{ remaining: 11 }, "remaining"],
      [{}, "remaining"],
      [{ remaining: 5, refill: { amount: 5, interval: "day" as const } }, "refill"],
    ] as const) {
      await expect(create(asParent, { name: "child", ...input })).rejects.toMatchObject({ code: "FORBIDDEN", details: { fields: { [field]: [expect.any(String)] } } });
    }
    expect(await create(asParent, { name: "child", remaining: 10 })).toMatchObject({ name: "child" });
  });

  test("a rolled key's credits move to its successor, and during the grace the old key spends from them", async () => {
    const owner = await ownerPrincipal();
    const old = await create(owner, { name: "rolling", remaining: 10 });
    expect((await verify(owner, old.key)).remaining).toBe(9);
    const rolled = await rollApiKey({ principal: owner, id: old.id, graceSeconds: 3600, now: new Date() });
    expect((await verify(owner, old.key)).remaining).toBe(8);
    expect((await verify(owner, rolled.key)).remaining).toBe(7);
    const rows = await getDb().apiKey.findMany({ where: { id: { in: [old.id, rolled.id] } }, orderBy: { id: "asc" }, select: { remaining: true } });
    expect(rows.map((row) => row.remaining)).toEqual([0, 7]);
  });
});
