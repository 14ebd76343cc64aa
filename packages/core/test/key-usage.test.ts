import { usage, verifyApiKey } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { ZAccountUsageQuery, ZUsageQuery } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { accountUsage, apiKeyUsage } from "../src/index.ts";
import { create, ownerPrincipal } from "./helpers.ts";

const at = (iso: string) => new Date(iso);

describe("apiKeyUsage", () => {
  test("answers every interval of the period as a point, the verifications of each by outcome, and the totals", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "counted", scopes: ["keys:read"] });
    await verifyApiKey(key.key, { now: at("2026-06-01T10:05:00Z") });
    await verifyApiKey(key.key, { now: at("2026-06-01T10:59:59Z") });
    await verifyApiKey(key.key, { now: at("2026-06-01T10:30:00Z"), requiredScopes: ["keys:write"] });
    await verifyApiKey(key.key, { now: at("2026-06-01T12:00:00Z") });
    await usage.flush();

    const query = ZUsageQuery.parse({ from: "2026-06-01T10:20:00Z", to: "2026-06-01T13:00:00Z", interval: "hour" });
    const series = await apiKeyUsage({ principal: owner, id: key.id, query, now: new Date() });
    expect(series).toEqual({
      interval: "hour",
      from: "2026-06-01T10:00:00.000Z",
      to: "2026-06-01T13:00:00.000Z",
      points: [
        { at: "2026-06-01T10:00:00.000Z", counts: { VALID: 2, INSUFFICIENT_SCOPE: 1 } },
        { at: "2026-06-01T11:00:00.000Z", counts: {} },
        { at: "2026-06-01T12:00:00.000Z", counts: { VALID: 1 } },
      ],
      totals: { VALID: 3, INSUFFICIENT_SCOPE: 1 },
    });
    const byMinute = await apiKeyUsage({ principal: owner, id: key.id, query: ZUsageQuery.parse({ from: "2026-06-01T10:05:00Z", to: "2026-06-01T10:07:00Z", interval: "minute" }), now: new Date() });
    expect(byMinute.points).toEqual([
      { at: "2026-06-01T10:05:00.000Z", counts: { VALID: 1 } },
      { at: "2026-06-01T10:06:00.000Z", counts: {} },
    ]);
  });

  test("by default: the 24 hours before now, by hour", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "recent" });
    const now = new Date();
    await verifyApiKey(key.key, { now });
    await usage.flush();
    const series = await apiKeyUsage({ principal: owner, id: key.id, query: {}, now: new Date(now.getTime() + 1) });
    expect(series.interval).toBe("hour");
    expect(series.points.length).toBeGreaterThanOrEqual(24);
    expect(series.points.length).toBeLessThanOrEqual(25);
    expect(series.totals).toEqual({ VALID: 1 });
  });

  test("a period that ends before it starts, or holds more than 1,440 points, is BAD_REQUEST on from; another user's key is NOT_FOUND", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "k" });
    const ask = (query: Record<string, string>, principal = owner) => apiKeyUsage({ principal, id: key.id, query: ZUsageQuery.parse(query), now: new Date() });
    await expect(ask({ from: "2026-06-02T00:00:00Z", to: "2026-06-01T00:00:00Z" })).rejects.toMatchObject({ code: "BAD_REQUEST", details: { fields: { from: ["from must be before to."] } } });
    await expect(ask({ from: "2026-06-01T00:00:00Z", to: "2026-06-03T00:00:00Z", interval: "minute" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      details: { fields: { from: [expect.stringMatching(/more than 1440 minutes/)] } },
    });
    await expect(ask({}, await ownerPrincipal())).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("accountUsage", () => {
  test("sums every key of the caller's by outcome, from minutes and rolled-up hours alike; key_ids get each named key's total per point, zeros for a silent key, nothing for another owner's key", async () => {
    const owner = await ownerPrincipal();
    const busy = await create(owner, { name: "busy", scopes: ["keys:read"] });
    const quiet = await create(owner, { name: "quiet" });
    const silent = await create(owner, { name: "silent" });
    const stranger = await ownerPrincipal();
    const theirs = await create(stranger, { name: "theirs" });
    await verifyApiKey(busy.key, { now: at("2026-03-02T08:10:00Z") });
    await verifyApiKey(busy.key, { now: at("2026-03-02T08:20:00Z"), requiredScopes: ["keys:write"] });
    await verifyApiKey(quiet.key, { now: at("2026-03-03T09:00:00Z") });
    await verifyApiKey(theirs.key, { now: at("2026-03-03T09:00:00Z") });
    await usage.flush();
    // an hour the rollup made of older minutes
    await getDb().keyUsageHour.create({ data: { keyId: busy.id, hour: at("2026-03-01T05:00:00Z"), outcome: "VALID", count: 40n } });

    const query = ZAccountUsageQuery.parse({ from: "2026-03-01T00:00:00Z", to: "2026-03-04T00:00:00Z", interval: "day", key_ids: `${busy.id},${silent.id},${theirs.id}` });
    const summary = await accountUsage({ principal: owner, query, now: new Date() });
    expect(summary.points).toEqual([
      { at: "2026-03-01T00:00:00.000Z", counts: { VALID: 40 } },
      { at: "2026-03-02T00:00:00.000Z", counts: { VALID: 1, INSUFFICIENT_SCOPE: 1 } },
      { at: "2026-03-03T00:00:00.000Z", counts: { VALID: 1 } },
    ]);
    expect(summary.totals).toEqual({ VALID: 42, INSUFFICIENT_SCOPE: 1 });
    expect(summary.keys).toEqual([
      { id: busy.id, total: 42, points: [40, 2, 0] },
      { id: silent.id, total: 0, points: [0, 0, 0] },
    ]);
  });

  test("minute points read minutes only: an hour rolled up is not shown as its first minute", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "old" });
    await getDb().keyUsageHour.create({ data: { keyId: key.id, hour: at("2026-02-01T05:00:00Z"), outcome: "VALID", count: 7n } });
    const byMinute = await accountUsage({ principal: owner, query: ZAccountUsageQuery.parse({ from: "2026-02-01T05:00:00Z", to: "2026-02-01T05:02:00Z", interval: "minute" }), now: new Date() });
    expect(byMinute.totals).toEqual({});
    const byHour = await apiKeyUsage({ principal: owner, id: key.id, query: ZUsageQuery.parse({ from: "2026-02-01T05:00:00Z", to: "2026-02-01T06:00:00Z" }), now: new Date() });
    expect(byHour.points).toEqual([{ at: "2026-02-01T05:00:00.000Z", counts: { VALID: 7 } }]);
  });

  test("more than 100 key_ids are refused naming key_ids", () => {
    const ids = Array.from({ length: 101 }, (_, i) => i + 1).join(",");
    const parsed = ZAccountUsageQuery.safeParse({ key_ids: ids });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ["key_ids"], message: "key_ids must be up to 100 key ids, comma-separated." });
  });
});
