import { getDb } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { generateApiKey, rollUpUsage, usage, UsageRecorder, verifyApiKey } from "../src/index.ts";
import { HOUR, newAccount, storeKey } from "./helpers.ts";

const MINUTE = 60_000;

async function countsOf(keyId: number) {
  const rows = await getDb().keyUsageMinute.findMany({ where: { keyId }, orderBy: [{ minute: "asc" }, { outcome: "asc" }] });
  return rows.map((row) => [row.minute.toISOString(), row.outcome, Number(row.count)]);
}

describe("verification usage is counted per key, minute and outcome", () => {
  test("verifications of a key are written on flush as one count per minute and outcome; malformed and unknown keys count nowhere", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id, { scopes: ["keys:read"] });
    const at = new Date("2026-06-01T10:00:30Z");
    for (let i = 0; i < 3; i += 1) await verifyApiKey(key, { now: at });
    await verifyApiKey(key, { now: at, requiredScopes: ["keys:write"] });
    await verifyApiKey(key, { now: new Date(at.getTime() + MINUTE) });
    await verifyApiKey("ak_short");
    await verifyApiKey(generateApiKey());
    await usage.flush();

    expect(await countsOf(row.id)).toEqual([
      ["2026-06-01T10:00:00.000Z", "INSUFFICIENT_SCOPE", 1],
      ["2026-06-01T10:00:00.000Z", "VALID", 3],
      ["2026-06-01T10:01:00.000Z", "VALID", 1],
    ]);
  });

  test("revoked and expired keys are counted under their outcome", async () => {
    const { user } = await newAccount();
    const now = new Date();
    const revoked = await storeKey(user.id, { revokedAt: new Date(now.getTime() - HOUR) });
    const expired = await storeKey(user.id, { expiresAt: new Date(now.getTime() - HOUR) });
    await verifyApiKey(revoked.key, { now });
    await verifyApiKey(expired.key, { now });
    await usage.flush();
    expect((await countsOf(revoked.row.id)).map(([, outcome, count]) => [outcome, count])).toEqual([["REVOKED", 1]]);
    expect((await countsOf(expired.row.id)).map(([, outcome, count]) => [outcome, count])).toEqual([["EXPIRED", 1]]);
  });

  test("two recorders flushing counts for the same minute add up, as two instances do", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const at = Date.parse("2026-06-01T11:00:00Z");
    const [a, b] = [new UsageRecorder(() => HOUR), new UsageRecorder(() => HOUR)];
    for (let i = 0; i < 5; i += 1) a.record(row.id, at, "VALID");
    for (let i = 0; i < 7; i += 1) b.record(row.id, at + 1_000, "VALID");
    await Promise.all([a.flush(), b.flush()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(await countsOf(row.id)).toEqual([["2026-06-01T11:00:00.000Z", "VALID", 12]]);
  });

  test("two recorders holding counts and last uses of the same 100 keys, gathered in opposite orders, flush at the same time 10 times without an error, and the counts add up", async () => {
    const { user } = await newAccount();
    const rows = await Promise.all(Array.from({ length: 100 }, async () => (await storeKey(user.id)).row));
    const at = Date.parse("2026-06-01T12:00:00Z");
    for (let round = 0; round < 10; round += 1) {
      const [a, b] = [new UsageRecorder(() => HOUR), new UsageRecorder(() => HOUR)];
      for (const row of rows) a.record(row.id, at + round * MINUTE, "VALID");
      for (const row of [...rows].reverse()) b.record(row.id, at + round * MINUTE, "VALID");
      await Promise.all([a.flush(), b.flush()]);
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const row of [rows[0], rows[99]]) expect((await countsOf(row?.id ?? 0)).map(([, , count]) => count)).toEqual(Array.from({ length: 10 }, () => 2));
  });

  test("counts for a key deleted before the flush are dropped, not an error that keeps them pending", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const recorder = new UsageRecorder(() => HOUR);
    recorder.record(row.id, Date.now(), "VALID");
    await getDb().apiKey.delete({ where: { id: row.id } });
    await expect(recorder.flush()).resolves.toBe(0);
    expect(recorder.pendingCount).toBe(0);
    await recorder.stop();
  });
});

async function hoursOf(keyId: number) {
  const rows = await getDb().keyUsageHour.findMany({ where: { keyId }, orderBy: [{ hour: "asc" }, { outcome: "asc" }] });
  return rows.map((row) => [row.hour.toISOString(), row.outcome, Number(row.count)]);
}

describe("the usage rollup", () => {
  afterEach(() => vi.unstubAllEnvs());

  test("minutes of whole hours older than KEYSMITH_USAGE_MINUTE_DAYS are summed into hours and removed; younger minutes stay", async () => {
    vi.stubEnv("KEYSMITH_USAGE_MINUTE_DAYS", "2");
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const now = new Date("2026-07-10T12:30:00Z");
    const recorder = new UsageRecorder(() => HOUR);
    // 3 days ago: two minutes of one hour, and another hour
    recorder.record(row.id, Date.parse("2026-07-07T09:05:00Z"), "VALID");
    recorder.record(row.id, Date.parse("2026-07-07T09:59:00Z"), "VALID");
    recorder.record(row.id, Date.parse("2026-07-07T09:59:10Z"), "RATE_LIMITED");
    recorder.record(row.id, Date.parse("2026-07-07T10:00:00Z"), "VALID");
    // the cutoff is 2026-07-08T12:00 (two days back, rounded down to the hour): 12:10 that day stays a minute
    recorder.record(row.id, Date.parse("2026-07-08T11:59:00Z"), "VALID");
    recorder.record(row.id, Date.parse("2026-07-08T12:10:00Z"), "VALID");
    await recorder.flush();
    await recorder.stop();

    await rollUpUsage(now);
    expect(await hoursOf(row.id)).toEqual([
      ["2026-07-07T09:00:00.000Z", "RATE_LIMITED", 1],
      ["2026-07-07T09:00:00.000Z", "VALID", 2],
      ["2026-07-07T10:00:00.000Z", "VALID", 1],
      ["2026-07-08T11:00:00.000Z", "VALID", 1],
    ]);
    expect(await countsOf(row.id)).toEqual([["2026-07-08T12:10:00.000Z", "VALID", 1]]);
  });

  test("a late flush into an hour already rolled up is added to it by the next run; three runs at once count each minute once", async () => {
    vi.stubEnv("KEYSMITH_USAGE_MINUTE_DAYS", "1");
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const now = new Date("2026-08-10T00:00:00Z");
    const recorder = new UsageRecorder(() => HOUR);
    for (let i = 0; i < 50; i += 1) recorder.record(row.id, Date.parse("2026-08-01T05:00:00Z") + i * 60_000, "VALID");
    await recorder.flush();
    await Promise.all([rollUpUsage(now), rollUpUsage(now), rollUpUsage(now)]);
    expect(await hoursOf(row.id)).toEqual([["2026-08-01T05:00:00.000Z", "VALID", 50]]);

    recorder.record(row.id, Date.parse("2026-08-01T05:30:00Z"), "VALID");
    await recorder.flush();
    await recorder.stop();
    await rollUpUsage(now);
    expect(await hoursOf(row.id)).toEqual([["2026-08-01T05:00:00.000Z", "VALID", 51]]);
    expect(await countsOf(row.id)).toEqual([]);
  });

  test("hours older than KEYSMITH_USAGE_HOUR_DAYS are deleted", async () => {
    vi.stubEnv("KEYSMITH_USAGE_MINUTE_DAYS", "1");
    vi.stubEnv("KEYSMITH_USAGE_HOUR_DAYS", "30");
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    await getDb().keyUsageHour.createMany({
      data: [
        { keyId: row.id, hour: new Date("2026-05-01T00:00:00Z"), outcome: "VALID", count: 9n },
        { keyId: row.id, hour: new Date("2026-05-20T00:00:00Z"), outcome: "VALID", count: 4n },
      ],
    });
    const result = await rollUpUsage(new Date("2026-06-05T00:00:00Z"));
    expect(result.hoursDeleted).toBeGreaterThanOrEqual(1);
    expect(await hoursOf(row.id)).toEqual([["2026-05-20T00:00:00.000Z", "VALID", 4]]);
  });

  test("KEYSMITH_USAGE_HOUR_DAYS shorter than KEYSMITH_USAGE_MINUTE_DAYS stops the rollup with a sentence naming both", async () => {
    vi.stubEnv("KEYSMITH_USAGE_MINUTE_DAYS", "10");
    vi.stubEnv("KEYSMITH_USAGE_HOUR_DAYS", "5");
    await expect(rollUpUsage(new Date())).rejects.toThrow("KEYSMITH_USAGE_HOUR_DAYS (5) must be at least KEYSMITH_USAGE_MINUTE_DAYS (10)");
  });
});

describe("last used, from the usage flush", () => {
  test("a key's first VALID verification sets last_used_at and records one key.first_used event, even when two recorders flush it at once; later uses record none", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const at = Date.parse("2026-09-01T10:00:00Z");
    const [a, b] = [new UsageRecorder(() => HOUR), new UsageRecorder(() => HOUR)];
    a.record(row.id, at, "VALID");
    b.record(row.id, at + 1_000, "VALID");
    await Promise.all([a.flush(), b.flush()]);
    a.record(row.id, at + 5 * 60_000, "VALID");
    await a.flush();
    await Promise.all([a.stop(), b.stop()]);

    const events = await getDb().auditEvent.findMany({ where: { keyId: row.id } });
    expect(events.map((event) => [event.event, event.actorType, event.userId, event.keyName])).toEqual([["key.first_used", "system", user.id, "k"]]);
    expect([at, at + 1_000]).toContain(events[0]?.at.getTime());
    const stored = await getDb().apiKey.findUniqueOrThrow({ where: { id: row.id } });
    expect(stored.lastUsedAt?.toISOString()).toBe(new Date(at + 5 * 60_000).toISOString());
  });

  test("refused verifications count as usage but set no last use", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id, { scopes: ["keys:read"] });
    const recorder = new UsageRecorder(() => HOUR);
    recorder.record(row.id, Date.now(), "INSUFFICIENT_SCOPE");
    expect(recorder.pendingLastUsedCount).toBe(0);
    await recorder.flush();
    await recorder.stop();
    expect((await getDb().apiKey.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).toBeNull();
  });
});

describe("KEYSMITH_USAGE_COUNTS", () => {
  afterEach(() => vi.unstubAllEnvs());

  test("off: verifications add no counts, but a VALID one still sets last used", async () => {
    vi.stubEnv("KEYSMITH_USAGE_COUNTS", "off");
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const recorder = new UsageRecorder(() => HOUR);
    recorder.record(row.id, Date.now(), "VALID");
    expect(recorder.pendingCount).toBe(0);
    expect(recorder.pendingLastUsedCount).toBe(1);
    await recorder.flush();
    await recorder.stop();
    expect(await countsOf(row.id)).toEqual([]);
    expect((await getDb().apiKey.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).not.toBeNull();
  });

  test("a value other than on or off is refused with a sentence naming the variable", () => {
    vi.stubEnv("KEYSMITH_USAGE_COUNTS", "maybe");
    expect(() => new UsageRecorder().counting).toThrow('KEYSMITH_USAGE_COUNTS must be on or off, not "maybe".');
  });
});
