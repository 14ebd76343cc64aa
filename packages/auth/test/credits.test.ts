import { getDb } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { verifyApiKey } from "../src/index.ts";
import { newAccount, storeKey } from "./helpers.ts";

const at = (iso: string) => ({ now: new Date(iso) });
const remainingOf = async (id: number) => (await getDb().apiKey.findUniqueOrThrow({ where: { id } })).remaining;

describe("credits", () => {
  test("each VALID verification spends its cost: 1 by default, 3 when asked, none with cost 0; too few left answers USAGE_EXCEEDED and spends nothing", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id, { remaining: 5 });
    expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", remaining: 4 });
    expect((await verifyApiKey(key, { cost: 3 })).result).toMatchObject({ code: "VALID", remaining: 1 });
    expect((await verifyApiKey(key, { cost: 0 })).result).toMatchObject({ code: "VALID", remaining: 1 });
    expect((await verifyApiKey(key, { cost: 2 })).result).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", remaining: 1 });
    expect(await remainingOf(row.id)).toBe(1);
  });

  test("a key without credits reports remaining null and is never USAGE_EXCEEDED", async () => {
    const { user } = await newAccount();
    const { key } = await storeKey(user.id);
    for (let i = 0; i < 3; i += 1) expect((await verifyApiKey(key, { cost: 1000 })).result).toMatchObject({ code: "VALID", remaining: null });
  });

  test("a monthly refill puts the credits back to its amount at the first verification of a new UTC month, once", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id, { remaining: 0, refillAmount: 10, refillInterval: "month", refilledAt: new Date("2030-01-01T00:00:00Z") });
    expect((await verifyApiKey(key, at("2030-01-31T23:59:59Z"))).result.code).toBe("USAGE_EXCEEDED");
    expect((await verifyApiKey(key, at("2030-02-01T00:00:01Z"))).result).toMatchObject({ code: "VALID", remaining: 9 });
    expect((await verifyApiKey(key, at("2030-02-20T00:00:00Z"))).result).toMatchObject({ code: "VALID", remaining: 8 });
    expect((await getDb().apiKey.findUniqueOrThrow({ where: { id: row.id } })).refilledAt).toEqual(new Date("2030-02-01T00:00:00Z"));
  });

  test("a daily refill does not add up: unused credits are replaced, not kept", async () => {
    const { user } = await newAccount();
    const { key } = await storeKey(user.id, { remaining: 7, refillAmount: 3, refillInterval: "day", refilledAt: new Date("2030-03-01T00:00:00Z") });
    expect((await verifyApiKey(key, at("2030-03-02T08:00:00Z"))).result).toMatchObject({ code: "VALID", remaining: 2 });
  });

  test("a verification refused by the rate limit spends no credit", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id, { remaining: 10, rateLimitPerMinute: 2 });
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push((await verifyApiKey(key, at("2031-01-01T00:00:10Z"))).result.code);
    expect(codes).toEqual(["VALID", "VALID", "RATE_LIMITED", "RATE_LIMITED"]);
    expect(await remainingOf(row.id)).toBe(8);
  });

  test("100 verifications at once of a key with 30 credits are VALID exactly 30 times", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id, { remaining: 30 });
    const results = await Promise.all(Array.from({ length: 100 }, async () => verifyApiKey(key)));
    expect(results.filter((verification) => verification.result.code === "VALID")).toHaveLength(30);
    expect(results.filter((verification) => verification.result.code === "USAGE_EXCEEDED")).toHaveLength(70);
    expect(await remainingOf(row.id)).toBe(0);
  });
});
