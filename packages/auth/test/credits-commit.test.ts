import type * as Db from "@keysmith/db";
import { flushWalOrRetry, getPool, walFlushAvailable } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { verifyApiKey } from "../src/index.ts";
import { listenerConnected, newAccount, storeKey } from "./helpers.ts";

// the real WAL flush and its probe unless a test holds the flush back or says the database has none
vi.mock("@keysmith/db", async (importOriginal) => {
  const actual = await importOriginal<typeof Db>();
  return { ...actual, flushWalOrRetry: vi.fn(actual.flushWalOrRetry), walFlushAvailable: vi.fn(actual.walFlushAvailable) };
});

afterEach(() => {
  vi.mocked(flushWalOrRetry).mockReset();
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

interface Sent {
  name?: string;
  text: string;
  values: unknown[];
}

/** The statements sent through the pool while `run` runs. */
async function sentDuring(run: () => Promise<unknown>): Promise<Sent[]> {
  const query = vi.spyOn(getPool(), "query");
  await run();
  const sent = query.mock.calls.map(([config]) => config as unknown as Sent);
  query.mockRestore();
  return sent;
}

/** The names of the statements sent through the pool while `run` runs. */
async function statementsOf(run: () => Promise<unknown>): Promise<(string | undefined)[]> {
  return (await sentDuring(run)).map((config) => config.name);
}

describe("spending credits: the commit and the WAL flush", () => {
  test("a spend made while another is in flight sends the asynchronous-commit statement, commits before the WAL flush and answers VALID only after flushWalOrRetry resolves: the credit is gone for another connection while it waits", async () => {
    const { key, row } = await cachedKeyWithCredits(10);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let flushAsked = false;
    const query = vi.spyOn(getPool(), "query");
    vi.mocked(flushWalOrRetry).mockImplementationOnce(async () => {
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
    expect(query.mock.calls.map(([config]) => (config as unknown as Sent).name)).toContain("keysmith_spend_credits_async_commit");
  });

  test("the asynchronous-commit spend statement, run inside a transaction, spends and leaves synchronous_commit off for that transaction", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    const sent = await sentDuring(() => Promise.all([verifyApiKey(key), verifyApiKey(key)]));
    const spend = sent.find((config) => config.name === "keysmith_spend_credits_async_commit");
    if (!spend) throw new Error("the asynchronous-commit statement was not sent");
    const client = await getPool().connect();
    try {
      await client.query("BEGIN");
      expect((await client.query<{ remaining: number }>(spend.text, spend.values)).rows).toEqual([{ remaining: 2 }]);
      expect((await client.query<{ mode: string }>("SELECT current_setting('synchronous_commit') AS mode")).rows[0]?.mode).toBe("off");
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
    expect(await remainingOf(row.id)).toBe(3);
  });

  test("a spend alone runs the synchronous-commit statement and does not call flushWalOrRetry", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    const statements = await statementsOf(async () => expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", remaining: 4 }));
    expect(statements).toContain("keysmith_spend_credits");
    expect(statements).not.toContain("keysmith_spend_credits_async_commit");
    expect(flushWalOrRetry).not.toHaveBeenCalled();
    expect(await remainingOf(row.id)).toBe(4);
  });

  test("where the database cannot flush its WAL on request, spends in flight together ask whether it can, run the synchronous-commit statement, without flushWalOrRetry, and each is spent", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    vi.mocked(walFlushAvailable).mockResolvedValue(false);
    const statements = await statementsOf(async () => {
      const results = await Promise.all([verifyApiKey(key), verifyApiKey(key), verifyApiKey(key)]);
      expect(results.map((verification) => verification.result.code)).toEqual(["VALID", "VALID", "VALID"]);
    });
    expect(walFlushAvailable).toHaveBeenCalled();
    expect(statements.filter((name) => name === "keysmith_spend_credits")).toHaveLength(3);
    expect(statements).not.toContain("keysmith_spend_credits_async_commit");
    expect(flushWalOrRetry).not.toHaveBeenCalled();
    expect(await remainingOf(row.id)).toBe(2);
  });

  test("when asking whether the database can flush its WAL fails, spends in flight together run the synchronous-commit statement and each is VALID", async () => {
    const { key, row } = await cachedKeyWithCredits(5);
    vi.mocked(walFlushAvailable).mockRejectedValue(new Error("timeout exceeded when trying to connect"));
    const statements = await statementsOf(async () => {
      const results = await Promise.all([verifyApiKey(key), verifyApiKey(key)]);
      expect(results.map((verification) => verification.result.code)).toEqual(["VALID", "VALID"]);
    });
    expect(walFlushAvailable).toHaveBeenCalled();
    expect(statements.filter((name) => name === "keysmith_spend_credits")).toHaveLength(2);
    expect(await remainingOf(row.id)).toBe(3);
  });

  test("after a spend whose statement failed, a spend alone runs the synchronous-commit statement again", async () => {
    const { key } = await cachedKeyWithCredits(5);
    const pool = getPool();
    const query = pool.query.bind(pool) as (config: unknown) => Promise<unknown>;
    // the spend's statement fails, whatever else is sent meanwhile goes through
    const failing = vi.spyOn(pool, "query").mockImplementation(((config: Sent) =>
      config.name === "keysmith_spend_credits" ? Promise.reject(new Error("Connection terminated unexpectedly")) : query(config)) as never);
    await expect(Promise.resolve(verifyApiKey(key))).rejects.toThrow("Connection terminated unexpectedly");
    expect(failing.mock.calls.map(([config]) => (config as unknown as Sent).name)).toContain("keysmith_spend_credits");
    failing.mockRestore();
    const statements = await statementsOf(async () => expect((await verifyApiKey(key)).result.code).toBe("VALID"));
    expect(statements).toContain("keysmith_spend_credits");
    expect(statements).not.toContain("keysmith_spend_credits_async_commit");
  });

  test("spends refused for want of credits, in flight together, send the asynchronous-commit statement and call no flushWalOrRetry", async () => {
    const { key } = await cachedKeyWithCredits(0);
    const statements = await statementsOf(async () => {
      const results = await Promise.all([verifyApiKey(key), verifyApiKey(key), verifyApiKey(key)]);
      expect(results.map((verification) => verification.result.code)).toEqual(["USAGE_EXCEEDED", "USAGE_EXCEEDED", "USAGE_EXCEEDED"]);
    });
    expect(statements).toContain("keysmith_spend_credits_async_commit");
    expect(flushWalOrRetry).not.toHaveBeenCalled();
  });
});
