import { getPool } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { KeyRateLimiter, sweepRateWindows } from "../src/index.ts";
import { newAccount, storeKey } from "./helpers.ts";

const MINUTE = 60_000;
// a minute of its own, far from other tests' keys and windows
const start = Date.UTC(2032, 5, 1, 12, 0);

async function admitted(limiter: KeyRateLimiter, keyId: number, limit: number, now: number): Promise<boolean> {
  return (await limiter.take(keyId, limit, now)) === undefined;
}

describe("rate limits shared through the database", () => {
  test("three limiters (as three instances) taking a limit of 100 at once admit between 100 and 103 in the minute", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id, { rateLimitPerMinute: 100 });
    const limiters = [new KeyRateLimiter(), new KeyRateLimiter(), new KeyRateLimiter()];
    const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => admitted(limiters[i % 3] as KeyRateLimiter, row.id, 100, start + 1000 + i)));
    const count = answers.filter(Boolean).length;
    // each may run ahead of the shared count by its allowance: 1% of the limit, at least 1
    expect(count).toBeGreaterThanOrEqual(100);
    expect(count).toBeLessThanOrEqual(103);
  });

  test("what one limiter admitted is in rate_limit_windows after flush, and refuses another limiter's next verification once the limit is reached", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id, { rateLimitPerMinute: 5 });
    const [a, b] = [new KeyRateLimiter(), new KeyRateLimiter()];
    const now = start + 2 * MINUTE + 5_000;
    for (let i = 0; i < 5; i += 1) expect(await admitted(a, row.id, 5, now)).toBe(true);
    await a.flush(now);
    const { rows } = await getPool().query<{ count: number }>(`SELECT count FROM rate_limit_windows WHERE key_id = $1 AND "window" = $2`, [row.id, Math.floor(now / MINUTE)]);
    expect(rows[0]?.count).toBe(5);
    // b knows nothing yet and may admit its allowance (1); its next must ask the database, which says 6 ≥ 5
    expect(await admitted(b, row.id, 5, now)).toBe(true);
    expect(await b.take(row.id, 5, now)).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });

  test("the previous minute weighs on the next as the sliding window still covers it: after 10 in one minute, 5 are admitted at 30 s into the next and a 6th refused, and one more at 36 s", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id, { rateLimitPerMinute: 10 });
    const limiter = new KeyRateLimiter();
    const minute = start + 4 * MINUTE;
    for (let i = 0; i < 10; i += 1) expect(await admitted(limiter, row.id, 10, minute + 50_000)).toBe(true);
    // at 30 s the last minute's 10 weigh 5: 5 more fit
    const at30 = minute + MINUTE + 30_000;
    for (let i = 0; i < 5; i += 1) expect(await admitted(limiter, row.id, 10, at30)).toBe(true);
    expect(await admitted(limiter, row.id, 10, at30)).toBe(false);
    // at 36 s they weigh 4: 4 + 5 + 1 ≤ 10
    expect(await admitted(limiter, row.id, 10, minute + MINUTE + 36_000)).toBe(true);
  });

  test("the sweep deletes windows older than the previous minute and keeps the rest", async () => {
    const { user } = await newAccount();
    const { row } = await storeKey(user.id);
    const now = Date.UTC(2033, 0, 1, 0, 10);
    const window = Math.floor(now / MINUTE);
    await getPool().query(`INSERT INTO rate_limit_windows (key_id, "window", count) VALUES ($1, $2, 1), ($1, $3, 1), ($1, $4, 1)`, [row.id, window, window - 1, window - 2]);
    await sweepRateWindows(now);
    const { rows } = await getPool().query<{ window: number }>(`SELECT "window" FROM rate_limit_windows WHERE key_id = $1 ORDER BY "window"`, [row.id]);
    expect(rows.map((r) => r.window)).toEqual([window - 1, window]);
  });
});
