import { getPool } from "@keysmith/db";
import { type VerifyCode } from "@keysmith/validators";
import { afterEach, describe, expect, test, vi } from "vitest";

import { generateApiKey, keyCache, verifyApiKey } from "../src/index.ts";
import { cacheKeyOfKey } from "../src/verify/key-events.ts";
import { changeUnheard, listenerConnected, newAccount, storeKey } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

/** A new owner's key, stored once this instance listens, its insert notification heard (so a lookup of it stays cached). */
async function keyOfNewOwner() {
  await listenerConnected();
  const { user } = await newAccount();
  const { key, row } = await storeKey(user.id, {}, generateApiKey());
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { user, key, row };
}

/** The names of the statements sent from now on. */
function statementsSent() {
  const query = vi.spyOn(getPool(), "query");
  return () => query.mock.calls.map(([statement]) => (statement as { name?: string } | undefined)?.name);
}

/** Verification times, seconds after the first. */
function clock() {
  const start = Date.now();
  return (seconds: number) => ({ now: new Date(start + seconds * 1000) });
}

/** Resolves once `key`'s cache entry is one stored at `at` (a renewal settled). */
async function renewedAt(key: string, at: { now: Date }): Promise<void> {
  await vi.waitFor(() => expect(keyCache.known.hasFresh(cacheKeyOfKey(key), at.now.getTime(), 1)).toBe(true));
}

/**
 * `value` verifies VALID at 0 s; `change` (made so no instance hears of it)
 * leaves it VALID from the cache at 5 s and at 21 s, and the renewal that the
 * verification at 21 s starts makes it answer `after`.
 */
async function answersAfterRenewal(value: string, change: () => Promise<void>, after: VerifyCode): Promise<void> {
  const at = clock();
  expect((await verifyApiKey(value, at(0))).result.code).toBe("VALID");
  await change();
  expect((await verifyApiKey(value, at(5))).result.code).toBe("VALID");
  expect((await verifyApiKey(value, at(21))).result.code).toBe("VALID");
  await vi.waitFor(async () => expect((await verifyApiKey(value, at(22))).result.code).toBe(after));
}

describe("a cached key in use is renewed before its entry expires", () => {
  test("a key verified 21 s after it was cached is answered from the cache and looked up once in the background; verified at 35 s it is answered without a promise (from the cache)", async () => {
    const { key } = await keyOfNewOwner();
    const at = clock();
    expect((await verifyApiKey(key, at(0))).result.code).toBe("VALID");

    const sent = statementsSent();
    const noticed = verifyApiKey(key, at(21));
    expect(noticed).not.toBeInstanceOf(Promise);
    expect((await noticed).result.code).toBe("VALID");
    await renewedAt(key, at(21));
    expect(sent().filter((name) => name === "keysmith_verify_key")).toHaveLength(1);

    const later = verifyApiKey(key, at(35));
    expect(later).not.toBeInstanceOf(Promise);
    expect((await later).result.code).toBe("VALID");
  });

  test("a key verified only in the first two thirds of its entry's life is not renewed: verified at 31 s it is a cache miss (a promise, one lookup)", async () => {
    const { key } = await keyOfNewOwner();
    const at = clock();
    expect((await verifyApiKey(key, at(0))).result.code).toBe("VALID");
    const sent = statementsSent();
    expect(verifyApiKey(key, at(10))).not.toBeInstanceOf(Promise);
    expect(sent()).not.toContain("keysmith_verify_key");

    const missed = verifyApiKey(key, at(31));
    expect(missed).toBeInstanceOf(Promise);
    expect((await missed).result.code).toBe("VALID");
    expect(sent().filter((name) => name === "keysmith_verify_key")).toHaveLength(1);
  });

  test("a key revoked without a notification answers VALID from the cache until a verification in its entry's last third renews it; the next answers REVOKED", async () => {
    const { key, row } = await keyOfNewOwner();
    await answersAfterRenewal(key, () => changeUnheard("UPDATE api_keys SET revoked_at = now() - interval '1 minute' WHERE id = $1", row.id), "REVOKED");
  });

  test("the renewal reads the owner again when their entry is as old: an owner deactivated without a notification makes the key REVOKED after it", async () => {
    const { user, key } = await keyOfNewOwner();
    await answersAfterRenewal(key, () => changeUnheard("UPDATE users SET is_active = false WHERE id = $1", user.id), "REVOKED");
  });

  test("a key deleted without a notification answers VALID from the cache until a verification in its entry's last third renews it; the next answers NOT_FOUND", async () => {
    const { key, row } = await keyOfNewOwner();
    await answersAfterRenewal(key, () => changeUnheard("DELETE FROM api_keys WHERE id = $1", row.id), "NOT_FOUND");
  });

  test("a key imported in another format, made native by SQL no instance heard of, answers MALFORMED for its value once a renewal has read the row (as a lookup would)", async () => {
    await listenerConnected();
    const { user } = await newAccount();
    const value = `sk_live_${generateApiKey().slice(3)}`;
    const { row } = await storeKey(user.id, {}, value);
    await changeUnheard(`UPDATE api_keys SET "foreign" = true WHERE id = $1`, row.id);
    await answersAfterRenewal(value, () => changeUnheard(`UPDATE api_keys SET "foreign" = false WHERE id = $1`, row.id), "MALFORMED");
  });

  test("a renewal that fails (the lookup refused) leaves the entry to expire: answered from the cache at 29 s, looked up on the request path at 31 s", async () => {
    const { key } = await keyOfNewOwner();
    const at = clock();
    expect((await verifyApiKey(key, at(0))).result.code).toBe("VALID");

    const pool = getPool();
    const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    // pool.query's overloads include callback forms returning void; verification calls only the promise form
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    const query = vi.spyOn(pool, "query").mockImplementation(async (...args: unknown[]) => {
      if ((args[0] as { name?: string } | undefined)?.name === "keysmith_verify_key") throw new Error("connection refused (injected)");
      return original(...args);
    });
    expect((await verifyApiKey(key, at(21))).result.code).toBe("VALID");
    const lookups = () => query.mock.calls.filter(([statement]) => (statement as { name?: string } | undefined)?.name === "keysmith_verify_key").length;
    await vi.waitFor(() => expect(lookups()).toBe(1));
    query.mockRestore();

    const sent = statementsSent();
    expect(verifyApiKey(key, at(29))).not.toBeInstanceOf(Promise);
    const missed = verifyApiKey(key, at(31));
    expect(missed).toBeInstanceOf(Promise);
    expect((await missed).result.code).toBe("VALID");
    expect(sent().filter((name) => name === "keysmith_verify_key")).toHaveLength(1);
  });
});
