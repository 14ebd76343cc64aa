import type * as Db from "@keysmith/db";
import { flushWal, getPool, walFlushAvailable } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { verifyApiKey } from "../src/index.ts";
import { listenerConnected, newAccount, storeKey } from "./helpers.ts";

// the real WAL flush and its probe unless a test holds the flush back or says the database has none
vi.mock("@keysmith/db", async (importOriginal) => {
  const actual = await importOriginal<typeof Db>();
  return { ...actual, flushWal: vi.fn(actual.flushWal), walFlushAvailable: vi.fn(actual.walFlushAvailable) };
});

afterEach(() => {
  vi.mocked(flushWal).mockReset();
  vi.mocked(walFlushAvailable).mockReset();
  vi.restoreAllMocks();
});

const remainingOf = async (id: number) =>
  (await getPool().query<{ remaining: number }>("SELECT remaining FROM api_keys WHERE id = $1", [id])).rows[0]?.remaining;

/**
 * A key with `remaining` credits, cached (verified once with the listener up): verifications of it
 * started in one turn all reach the spend in that turn, so they are in flight together.
 */
async function cachedKeyWithCredits(remaining: number) {
  await listenerConnected();
  const { user } = await newAccount();
  const stored = await storeKey(user.id, { remaining: remaining + 1 });
  expect((await verifyApiKey(stored.key)).result.code).toBe("VALID");
  return stored;
}

/** The names of the statements sent through the pool while `run` runs. */
async function statementsOf(run: () => Promise<unknown>): Promise<(string | undefined)[]> {
  const query = vi.spyOn(getPool(), "query");
  await run();
  return query.mock.calls.map(([config]) => (config as { name?: string }).name);
}

describe("spending credits: the commit and the WAL flush", () => {
  test("a spend made while another is in flight commits before the WAL flush and answers VALID only after flushWal resolves: the credit is gone for another connection while it waits", async () => {
    const { key, row } = await cachedKeyWithCredits(10);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let flushAsked = false;
    vi.mocked(flushWal).mockImplementationOnce(async () => {
      flushAsked = true;
      await held;
      return "0/0";
    });
    const first = verifyApiKey(key);
    let answered = false;
    const second = Promise.resolve(verifyApiKey(key)).then((verification) => {
      answered = true;
      return verification;
    });
    await vi.waitFor(() => expect(flushAsked).toBe(true), { timeout: 5_000, interval: 5 });
    expect((await first).result).toMatchObject({ code: "VALID" });
    expect(await remainingOf(row.id)).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    expect((await second).result).toMatchObject({ code: "VALID" });
  });

  test("a spend alone runs the synchronous-commit statement and does not call flushWal", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    const statements = await statementsOf(async () => expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", remaining: 4 }));
    expect(statements).toContain("keysmith_spend_credits");
    expect(statements).not.toContain("keysmith_spend_credits_async_commit");
    expect(flushWal).not.toHaveBeenCalled();
    expect(await remainingOf(row.id)).toBe(4);
  });

  test("where the database cannot flush its WAL on request, spends in flight together run the synchronous-commit statement, without flushWal, and each is spent", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    vi.mocked(walFlushAvailable).mockResolvedValue(false);
    const statements = await statementsOf(async () => {
      const results = await Promise.all([verifyApiKey(key), verifyApiKey(key), verifyApiKey(key)]);
      expect(results.map((verification) => verification.result.code)).toEqual(["VALID", "VALID", "VALID"]);
    });
    expect(statements.filter((name) => name === "keysmith_spend_credits")).toHaveLength(3);
    expect(statements).not.toContain("keysmith_spend_credits_async_commit");
    expect(flushWal).not.toHaveBeenCalled();
    expect(await remainingOf(row.id)).toBe(2);
  });

  test("a WAL flush that fails once is sent again, and the verification is VALID after the second", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    vi.mocked(flushWal).mockRejectedValueOnce(new Error("Connection terminated unexpectedly"));
    const results = await Promise.all([verifyApiKey(key), verifyApiKey(key)]);
    expect(results.map((verification) => verification.result.code)).toEqual(["VALID", "VALID"]);
    // the first spend commits synchronously; the second's flush fails, then succeeds
    expect(flushWal).toHaveBeenCalledTimes(2);
    expect(await remainingOf(row.id)).toBe(3);
  });

  test("spends refused for want of credits, in flight together, call no flushWal and spend nothing", async () => {
    const { key, row } = await cachedKeyWithCredits(0);
    const results = await Promise.all([verifyApiKey(key), verifyApiKey(key), verifyApiKey(key)]);
    expect(results.map((verification) => verification.result.code)).toEqual(["USAGE_EXCEEDED", "USAGE_EXCEEDED", "USAGE_EXCEEDED"]);
    expect(flushWal).not.toHaveBeenCalled();
    expect(await remainingOf(row.id)).toBe(0);
  });
});
