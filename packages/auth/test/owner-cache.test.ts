import { getPool } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { generateApiKey, hashApiKey, keyCache, keyEventsStatus, verifyApiKey } from "../src/index.ts";
import { bearer, changeElsewhere, holdNextQuery, listenerConnected, newAccount, resolve, storeKey } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const hashOf = (key: string) => Buffer.from(hashApiKey(key)).toString("base64url");

/** How many statements named `name` verification sends from now on (not the usage writes that may run meanwhile). */
function namedQueries(name: string) {
  // spying again on the same method returns the same spy, whose calls go back to the first
  const query = vi.spyOn(getPool(), "query");
  const sent = () => query.mock.calls.filter(([config]) => (config as { name?: string } | undefined)?.name === name).length;
  const before = sent();
  return () => sent() - before;
}
const keyLookups = () => namedQueries("keysmith_verify_key");
const ownerReads = () => namedQueries("keysmith_key_owner");

/** Resolves once this instance has processed a notification that `heard` recognises, by what it did to the key cache. */
function keyCacheHears(method: "delete" | "deleteWhere", heard: (argument: unknown) => boolean = () => true) {
  return new Promise<void>((resolve) => {
    const original = keyCache[method].bind(keyCache) as (argument: unknown) => void;
    // the two methods take different arguments; the spy only passes them on
    const spy = vi.spyOn(keyCache, method) as unknown as { mockImplementation(replacement: (argument: unknown) => void): void };
    spy.mockImplementation((argument) => {
      original(argument);
      if (heard(argument)) resolve();
    });
  });
}

/** Two keys of one new owner, stored once this instance listens, and both notifications heard. */
async function ownerWithTwoKeys() {
  await listenerConnected();
  const { user } = await newAccount();
  const [first, second] = [generateApiKey(), generateApiKey()];
  const pending = new Set([first, second].map(hashOf));
  const heard = keyCacheHears("delete", (deleted) => pending.delete(deleted as string) && pending.size === 0);
  await storeKey(user.id, {}, first);
  await storeKey(user.id, {}, second);
  await heard;
  vi.restoreAllMocks();
  return { user, first, second };
}

describe("a key's owner, read once for all of their keys", () => {
  test("after the owner is deactivated elsewhere, a key of theirs verified for the first time answers REVOKED, though another of their keys had just been verified VALID", async () => {
    const { user, first, second } = await ownerWithTwoKeys();
    expect((await verifyApiKey(first)).result.code).toBe("VALID");

    const heard = keyCacheHears("delete", (deleted) => deleted === hashOf(first));
    await changeElsewhere("UPDATE users SET is_active = false WHERE id = $1", user.id);
    await heard;
    vi.restoreAllMocks();

    expect((await verifyApiKey(second)).result.code).toBe("REVOKED");
    expect((await verifyApiKey(first)).result.code).toBe("REVOKED");
  });

  test("after the owner is renamed elsewhere, a key of theirs resolved for the first time gives a principal with the new name, though another of their keys had resolved with the old", async () => {
    const { user, first, second } = await ownerWithTwoKeys();
    expect((await resolve(bearer(first), new Date())).principal).toMatchObject({ via: "key", user: { id: user.id, name: user.name } });

    const heard = keyCacheHears("delete", (deleted) => deleted === hashOf(first));
    await changeElsewhere("UPDATE users SET name = 'Renamed elsewhere' WHERE id = $1", user.id);
    await heard;
    vi.restoreAllMocks();

    expect((await resolve(bearer(second), new Date())).principal).toMatchObject({ via: "key", user: { id: user.id, name: "Renamed elsewhere" } });
  });

  test("a notification naming only the owner (u: and their id) drops their cached keys: the next verification of one reads the database", async () => {
    const { user, first } = await ownerWithTwoKeys();
    expect((await verifyApiKey(first)).result.code).toBe("VALID");

    const heard = keyCacheHears("deleteWhere");
    await getPool().query("SELECT pg_notify('keysmith_api_keys', 'u:' || $1::int)", [user.id]);
    await heard;
    vi.restoreAllMocks();

    const query = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(first)).result.code).toBe("VALID");
    expect(query).toHaveBeenCalled();
  });

  test("a key's lookup in flight when a notification names its owner is answered, but not cached: the next verification reads the database", async () => {
    const { user, first } = await ownerWithTwoKeys();
    const held = holdNextQuery("keysmith_verify_key");
    const inFlight = verifyApiKey(first);
    await held.hasRead;

    const heard = keyCacheHears("deleteWhere");
    await getPool().query("SELECT pg_notify('keysmith_api_keys', 'u:' || $1::int)", [user.id]);
    await heard;
    held.release();
    expect((await inFlight).result.code).toBe("VALID");
    vi.restoreAllMocks();

    const query = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(first)).result.code).toBe("VALID");
    expect(query).toHaveBeenCalled();
  });
});

describe("an owner read once for keys that need them at the same time", () => {
  /** Holds back the answers of key lookups until two have been read, so both go on to their owner together; counts owner reads. */
  function keyRowsReadTogether() {
    const pool = getPool();
    const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    let rowsRead = 0;
    let bothRead!: () => void;
    const both = new Promise<void>((resolve) => (bothRead = resolve));
    const counted = { owners: 0 };
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    vi.spyOn(pool, "query").mockImplementation(async (...args: unknown[]) => {
      const name = (args[0] as { name?: string } | undefined)?.name;
      if (name === "keysmith_key_owner") counted.owners += 1;
      const result = await original(...args);
      if (name === "keysmith_verify_key") {
        rowsRead += 1;
        if (rowsRead === 2) bothRead();
        await both;
      }
      return result;
    });
    return counted;
  }

  test("two keys of an owner not cached, whose rows are read at the same time, read the owner once and both answer VALID", async () => {
    const { first, second } = await ownerWithTwoKeys();
    const counted = keyRowsReadTogether();
    const answers = await Promise.all([verifyApiKey(first), verifyApiKey(second)]);
    expect(answers.map((answer) => answer.result.code)).toEqual(["VALID", "VALID"]);
    expect(counted.owners).toBe(1);
  });

  test("two keys of one owner renewed at the same time (used at 21 s), their rows read together, read the owner once, and both entries are then dated 21 s", async () => {
    const { first, second } = await ownerWithTwoKeys();
    const start = Date.now();
    const at = (seconds: number) => ({ now: new Date(start + seconds * 1000) });
    expect((await verifyApiKey(first, at(0))).result.code).toBe("VALID");
    expect((await verifyApiKey(second, at(0))).result.code).toBe("VALID");

    const counted = keyRowsReadTogether();
    expect((await verifyApiKey(first, at(21))).result.code).toBe("VALID");
    expect((await verifyApiKey(second, at(21))).result.code).toBe("VALID");
    await vi.waitFor(() => {
      for (const key of [first, second]) expect(keyCache.known.hasFresh(hashOf(key), start + 21_000, 1)).toBe(true);
    });
    expect(counted.owners).toBe(1);
  });

  test("an owner read in flight when a notification names the owner is not joined: a key verified after the notification reads the owner again", async () => {
    const { user, first, second } = await ownerWithTwoKeys();
    const held = holdNextQuery("keysmith_key_owner");
    const owners = ownerReads();
    const firstAnswer = verifyApiKey(first);
    await held.hasRead;

    const heard = keyCacheHears("deleteWhere");
    await getPool().query("SELECT pg_notify('keysmith_api_keys', 'u:' || $1::int)", [user.id]);
    await heard;
    const secondAnswer = verifyApiKey(second);
    await vi.waitFor(() => expect(owners()).toBe(2));
    held.release();
    expect((await firstAnswer).result.code).toBe("VALID");
    expect((await secondAnswer).result.code).toBe("VALID");
  });
});

test("a key named with the unit separator (U+001F), a comma, quotes, a backslash and an emoji verifies VALID with exactly that name", async () => {
  await listenerConnected();
  const { user } = await newAccount();
  const name = 'a\u001fb,"c"\\d 🔑\u001f';
  const key = generateApiKey();
  const { row } = await storeKey(user.id, {}, key);
  await changeElsewhere(`UPDATE api_keys SET name = E'a\\x1fb,"c"\\\\d 🔑\\x1f' WHERE id = $1`, row.id);
  keyCache.clear();
  expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", name, id: row.id });
});

describe("how long a key is cached with an owner from the owner cache", () => {
  test("a key first verified 15 s after its owner was read is cached only until 30 s after that read: verified next at 31 s it is a cache miss (a promise, one lookup)", async () => {
    const { first, second } = await ownerWithTwoKeys();
    const start = Date.now();
    const at = (seconds: number) => ({ now: new Date(start + seconds * 1000) });
    expect((await verifyApiKey(first, at(0))).result.code).toBe("VALID");
    expect((await verifyApiKey(second, at(15))).result.code).toBe("VALID");
    // its entry is dated when the owner was read (0 s), not when the key was (15 s)
    const entry = hashOf(second);
    expect(keyCache.known.hasFresh(entry, start + 15_000, 15_001)).toBe(true);
    expect(keyCache.known.hasFresh(entry, start + 15_000, 14_999)).toBe(false);

    const lookups = keyLookups();
    const missed = verifyApiKey(second, at(31));
    expect(missed).toBeInstanceOf(Promise);
    expect((await missed).result.code).toBe("VALID");
    expect(lookups()).toBe(1);
  });

  test("a key first verified 25 s after its owner was read reads its owner again: verified next at 31 s it is answered from the cache (without a promise), with no lookup", async () => {
    const { first, second } = await ownerWithTwoKeys();
    const start = Date.now();
    const at = (seconds: number) => ({ now: new Date(start + seconds * 1000) });
    expect((await verifyApiKey(first, at(0))).result.code).toBe("VALID");
    const owners = ownerReads();
    expect((await verifyApiKey(second, at(25))).result.code).toBe("VALID");
    expect(owners()).toBe(1);

    const lookups = keyLookups();
    const later = verifyApiKey(second, at(31));
    expect(later).not.toBeInstanceOf(Promise);
    expect((await later).result.code).toBe("VALID");
    expect(lookups()).toBe(0);
  });

  test("a key whose lookup also read its owner is answered from the cache (without a promise) 29 s later", async () => {
    const { first } = await ownerWithTwoKeys();
    const start = Date.now();
    expect((await verifyApiKey(first, { now: new Date(start) })).result.code).toBe("VALID");
    const later = verifyApiKey(first, { now: new Date(start + 29_000) });
    expect(later).not.toBeInstanceOf(Promise);
    expect((await later).result.code).toBe("VALID");
  });
});

describe("what an operator's SQL may leave in a key's row", () => {
  test("a key whose scopes were set to NULL verifies VALID with no scopes", async () => {
    await listenerConnected();
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id);
    await changeElsewhere("UPDATE api_keys SET scopes = NULL WHERE id = $1", row.id);
    keyCache.clear();
    expect((await verifyApiKey(key)).result).toMatchObject({ code: "VALID", scopes: [] });
  });

  test("a key set to expire at 'infinity' verifies VALID with expires_at null; one set to '-infinity' verifies EXPIRED", async () => {
    await listenerConnected();
    const { user } = await newAccount();
    const never = await storeKey(user.id);
    const always = await storeKey(user.id);
    await changeElsewhere("UPDATE api_keys SET expires_at = 'infinity' WHERE id = $1", never.row.id);
    await changeElsewhere("UPDATE api_keys SET expires_at = '-infinity' WHERE id = $1", always.row.id);
    keyCache.clear();
    expect((await verifyApiKey(never.key)).result).toMatchObject({ code: "VALID", expires_at: null });
    expect((await verifyApiKey(always.key)).result.code).toBe("EXPIRED");
  });
});

describe("owners changed in bulk, or deleted", () => {
  test("one statement deactivating three owners drops their cached keys in one pass over the key cache, and each key then answers REVOKED", async () => {
    // one after the other: each spies on the key cache while its keys are stored
    const owners = [await ownerWithTwoKeys(), await ownerWithTwoKeys(), await ownerWithTwoKeys()];
    for (const { first } of owners) expect((await verifyApiKey(first)).result.code).toBe("VALID");

    // a spy that counts the passes and still makes them
    const original = keyCache.deleteWhere.bind(keyCache);
    let heardPass!: () => void;
    const heard = new Promise<void>((resolve) => (heardPass = resolve));
    const passes = vi.spyOn(keyCache, "deleteWhere").mockImplementation((matches) => {
      original(matches);
      heardPass();
    });
    await getPool().query("UPDATE users SET is_active = false WHERE id = ANY($1::int[])", [owners.map(({ user }) => user.id)]);
    await heard;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
    for (const { first, second } of owners) {
      expect((await verifyApiKey(first)).result.code).toBe("REVOKED");
      expect((await verifyApiKey(second)).result.code).toBe("REVOKED");
    }
  });

  test("an owner deleted and a new user inserted with the same id: the new user's key verifies with the new user as its owner", async () => {
    await listenerConnected();
    const { user, first } = await ownerWithTwoKeys();
    expect((await resolve(bearer(first), new Date())).principal).toMatchObject({ user: { id: user.id, name: user.name } });

    const heard = keyCacheHears("deleteWhere");
    await getPool().query("DELETE FROM users WHERE id = $1", [user.id]);
    await heard;
    vi.restoreAllMocks();
    await getPool().query(
      "INSERT INTO users (id, username, email, name, password_hash, updated_at) VALUES ($1::int, 'again_' || $1::int, 'again_' || $1::int || '@example.test', 'Someone else', 'not a hash', now())",
      [user.id],
    );
    const key = generateApiKey();
    await storeKey(user.id, {}, key);
    expect((await resolve(bearer(key), new Date())).principal).toMatchObject({ user: { id: user.id, name: "Someone else" } });
  });
});

test("a key whose row was read before the listener dropped takes its owner from the database, not from an owner cached while it was down: REVOKED after a deactivation the instance did not hear", async () => {
  const { user, first, second } = await ownerWithTwoKeys();
  const pool = getPool();
  const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  // each key's lookup, once read, waits for its key's own gate (the two reads may finish in either order)
  const gates = new Map<string, { open: Promise<void>; release: () => void }>();
  for (const key of [first, second]) {
    let release!: () => void;
    const open = new Promise<void>((resolve) => (release = resolve));
    gates.set(hashOf(key), { open, release });
  }
  let reads = 0;
  let bothRead!: () => void;
  const read = new Promise<void>((resolve) => (bothRead = resolve));
  // pool.query's overloads include callback forms returning void; verification calls only the promise form
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  vi.spyOn(pool, "query").mockImplementation(async (...args: unknown[]) => {
    const result = await original(...args);
    const statement = args[0] as { name?: string; values?: unknown[] } | undefined;
    const gate = statement?.name === "keysmith_verify_key" ? gates.get(Buffer.from(statement.values?.[0] as Uint8Array).toString("base64url")) : undefined;
    if (gate) {
      reads += 1;
      if (reads === 2) bothRead();
      await gate.open;
    }
    return result;
  });
  const early = verifyApiKey(first);
  const late = verifyApiKey(second);
  await read;

  await original("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`keysmith-listen-keysmith_api_keys-${process.pid}`]);
  await vi.waitFor(() => expect(keyEventsStatus().state).toBe("reconnecting"), { timeout: 2_000, interval: 2 });
  // the second lookup finishes while the listener is down; its owner, read now, must not be cached for the first
  gates.get(hashOf(second))?.release();
  expect((await late).result.code).toBe("VALID");
  // heard by no one here: only reading the owner again can show it
  await original("UPDATE users SET is_active = false WHERE id = $1", [user.id]);
  gates.get(hashOf(first))?.release();
  expect((await early).result.code).toBe("REVOKED");
  vi.restoreAllMocks();
  await listenerConnected();
});
