import { usage, verifyApiKey } from "@keysmith/auth";
import { ZUsageQuery } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { apiKeyUsage } from "../src/index.ts";
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
