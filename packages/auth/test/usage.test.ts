import { getDb } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { generateApiKey, usage, UsageRecorder, verifyApiKey } from "../src/index.ts";
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
