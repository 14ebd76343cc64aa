import type * as Auth from "@keysmith/auth";
import { apiKeyDisplayPrefix, forgetKeyLocally, generateApiKey, hashApiKey, keyEventsStatus, type Principal, verifyApiKey } from "@keysmith/auth";
import type * as Db from "@keysmith/db";
import { flushWalOrRetry, getPool, subscribe, walFlushAvailable } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import type * as MintKey from "../src/api-keys/mint-key.ts";
import { mintKey } from "../src/api-keys/mint-key.ts";
import { knownFailure } from "../src/index.ts";
import { create, keyPrincipal, ownerPrincipal } from "./helpers.ts";

// A statement blocked for a second is cut off (see "a creation blocked past the statement timeout");
// read when the pool is first made, which is after this line.
process.env.KEYSMITH_DB_STATEMENT_TIMEOUT_MS = "1000";

// the real minting unless a test hands out a key it knows in advance
vi.mock("../src/api-keys/mint-key.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof MintKey>();
  return { mintKey: vi.fn(actual.mintKey) };
});
// the real forgetting unless a test turns it off, to see what the notification alone does
vi.mock("@keysmith/auth", async (importOriginal) => {
  const actual = await importOriginal<typeof Auth>();
  return { ...actual, forgetKeyLocally: vi.fn(actual.forgetKeyLocally) };
});

// the real WAL flush and its probe unless a test holds the flush back or says the database has none
vi.mock("@keysmith/db", async (importOriginal) => {
  const actual = await importOriginal<typeof Db>();
  return { ...actual, flushWalOrRetry: vi.fn(actual.flushWalOrRetry), walFlushAvailable: vi.fn(actual.walFlushAvailable) };
});

afterEach(() => {
  vi.mocked(flushWalOrRetry).mockReset();
  vi.mocked(walFlushAvailable).mockReset();
  vi.mocked(mintKey).mockReset();
  vi.mocked(forgetKeyLocally).mockReset();
  vi.restoreAllMocks();
});

/** A key as mintKey makes one, known before the creation that will be handed it. */
function knownKey() {
  const key = generateApiKey();
  return { key, keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) };
}

// the channel every instance LISTENs on (packages/auth, verify/key-events.ts), with hashes in unpadded base64url
const KEY_EVENTS_CHANNEL = "keysmith_api_keys";
const hashOf = (key: string) => Buffer.from(hashApiKey(key)).toString("base64url");

/** Waits until this process's key-events listener is up, so verification answers from the cache. */
async function listenerConnected(): Promise<void> {
  await verifyApiKey(generateApiKey());
  await vi.waitFor(() => expect(keyEventsStatus().state).toBe("listening"), { timeout: 10_000, interval: 20 });
}

describe("createApiKey", () => {
  test("stores exactly these api_keys columns and exactly one key.created audit row: the caller key as actor, its client address, the cleaned user agent, the key's id and name, and the details", async () => {
    const owner = await ownerPrincipal();
    const parent = await create(owner, { name: "parent" });
    const caller: Principal = { ...(await keyPrincipal(parent.key)), client: { address: "198.51.100.7", userAgent: " Mozilla/5.0\u0000 (X11)\t" } };
    const now = new Date("2030-03-14T15:09:26.535Z");
    const before = Date.now();
    const created = await create(
      caller,
      { name: "every field", description: "all of them", expires_at: new Date("2031-01-01T00:00:00.250Z"), scopes: ["keys:verify", "keys:read", "keys:verify"], rate_limit_per_minute: 120, remaining: 40, refill: { amount: 50, interval: "month" } },
      now,
    );
    const after = Date.now();

    // to_jsonb: timestamps as PostgreSQL stores them (UTC, no zone), whatever this process's time zone
    const { rows: keys } = await getPool().query<{ row: Record<string, unknown>; created_ms: number }>(
      `SELECT to_jsonb(k) - 'created_at' AS row, extract(epoch FROM created_at) * 1000 AS created_ms FROM api_keys k WHERE id = $1`,
      [created.id],
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]?.row).toEqual({
      id: created.id,
      user_id: owner.user.id,
      name: "every field",
      description: "all of them",
      key_hash: `\\x${Buffer.from(hashApiKey(created.key)).toString("hex")}`,
      prefix: created.key.slice(0, 7),
      foreign: false,
      scopes: ["keys:verify", "keys:read"],
      last_used_at: null,
      expires_at: "2031-01-01T00:00:00.25",
      revoked_at: null,
      rolled_at: null,
      rate_limit_per_minute: 120,
      remaining: 40,
      refill_amount: 50,
      refill_interval: "month",
      refilled_at: "2030-03-01T00:00:00",
      leaked_at: null,
      leak_source: null,
      leak_location: null,
      leak_url: null,
      leak_acknowledged_at: null,
      replaces_id: null,
    });
    // the moment of the write (as Prisma's @default(now()) set it), not the call's `now`
    expect(Number(keys[0]?.created_ms)).toBeGreaterThanOrEqual(before);
    expect(Number(keys[0]?.created_ms)).toBeLessThanOrEqual(after);

    const { rows: events } = await getPool().query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(a) - 'id' AS row FROM audit_events a WHERE key_id = $1`, [created.id]);
    expect(events.map((event) => event.row)).toEqual([
      {
        at: "2030-03-14T15:09:26.535",
        user_id: owner.user.id,
        event: "key.created",
        actor_type: "api_key",
        actor_key_id: parent.id,
        key_id: created.id,
        key_name: "every field",
        client_address: "198.51.100.7",
        user_agent: "Mozilla/5.0 (X11)",
        details: { scopes: ["keys:verify", "keys:read"], expires_at: "2031-01-01T00:00:00.250Z", rate_limit_per_minute: 120, remaining: 40, refill: "50 a month" },
      },
    ]);
    expect(created).toEqual({ id: created.id, key: created.key, name: "every field", description: "all of them" });
  });

  test("sends the asynchronous-commit statement, commits before the WAL flush and returns only after flushWalOrRetry resolves: the key is visible to another connection while its creation waits for the flush", async () => {
    const owner = await ownerPrincipal();
    const known = knownKey();
    vi.mocked(mintKey).mockReturnValueOnce(known);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let flushAsked = false;
    const query = vi.spyOn(getPool(), "query");
    vi.mocked(flushWalOrRetry).mockImplementationOnce(async () => {
      flushAsked = true;
      await held;
      return "0/0";
    });
    let returned = false;
    const creating = create(owner, { name: "flushed" }).then((created) => {
      returned = true;
      return created;
    });
    await vi.waitFor(() => expect(flushAsked).toBe(true), { timeout: 5_000, interval: 5 });
    const { rows } = await getPool().query("SELECT name FROM api_keys WHERE key_hash = $1", [known.keyHash]);
    expect(rows).toEqual([{ name: "flushed" }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(returned).toBe(false);
    release();
    expect((await creating).key).toBe(known.key);
    expect(query.mock.calls.map(([config]) => (config as { name?: string }).name)).toContain("keysmith_create_key_async_commit");
  });

  test("the asynchronous-commit creation statement, run inside a transaction, leaves synchronous_commit off for that transaction", async () => {
    const owner = await ownerPrincipal();
    const query = vi.spyOn(getPool(), "query");
    await create(owner, { name: "statement kept" });
    const sent = query.mock.calls.map(([config]) => config as unknown as { name?: string; text: string; values: unknown[] }).find((config) => config.name === "keysmith_create_key_async_commit");
    if (!sent) throw new Error("the asynchronous-commit statement was not sent");
    query.mockRestore();
    const client = await getPool().connect();
    try {
      await client.query("BEGIN");
      // the same key again would collide with the stored one: another hash, the rest as sent
      await client.query(sent.text, sent.values.map((value, i) => (i === 4 ? hashApiKey(generateApiKey()) : value)));
      expect((await client.query<{ mode: string }>("SELECT current_setting('synchronous_commit') AS mode")).rows[0]?.mode).toBe("off");
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  test("where the database cannot flush its WAL on request, creation runs the synchronous-commit statement, not the asynchronous one, without calling flushWalOrRetry, and the key and its audit event are stored", async () => {
    const owner = await ownerPrincipal();
    vi.mocked(walFlushAvailable).mockResolvedValueOnce(false);
    const query = vi.spyOn(getPool(), "query");
    const created = await create(owner, { name: "synchronous" });
    expect(flushWalOrRetry).not.toHaveBeenCalled();
    const statements = query.mock.calls.map(([config]) => (config as { name?: string }).name);
    expect(statements).toContain("keysmith_create_key");
    expect(statements).not.toContain("keysmith_create_key_async_commit");
    const { rows } = await getPool().query<{ name: string; events: number }>(
      "SELECT k.name, (SELECT count(*)::int FROM audit_events e WHERE e.key_id = k.id AND e.event = 'key.created') AS events FROM api_keys k WHERE k.id = $1",
      [created.id],
    );
    expect(rows).toEqual([{ name: "synchronous", events: 1 }]);
  });

  test("sends one notification with the new key's hash at commit: an instance holding NOT_FOUND for that hash answers VALID from the notification alone", async () => {
    const owner = await ownerPrincipal();
    await listenerConnected();
    const minted = knownKey();
    expect((await verifyApiKey(minted.key)).result.code).toBe("NOT_FOUND");
    // cached: the second answer costs no query
    const query = vi.spyOn(getPool(), "query");
    expect((await verifyApiKey(minted.key)).result.code).toBe("NOT_FOUND");
    expect(query).not.toHaveBeenCalled();
    query.mockRestore();

    // another instance's listener, on a connection of its own
    const heard: string[] = [];
    const other = subscribe(KEY_EVENTS_CHANNEL, { onMessage: (payload) => heard.push(payload), onGap: () => undefined });
    try {
      await vi.waitFor(() => expect(other.connected).toBe(true), { timeout: 10_000, interval: 20 });
      vi.mocked(mintKey).mockReturnValueOnce(minted);
      // this instance forgets nothing itself: only the notification can clear its NOT_FOUND, as on any other instance
      vi.mocked(forgetKeyLocally).mockImplementationOnce(() => undefined);
      const created = await create(owner, { name: "announced" });
      expect(created.key).toBe(minted.key);
      expect(forgetKeyLocally).toHaveBeenCalledTimes(1);

      await vi.waitFor(async () => expect((await verifyApiKey(minted.key)).result.code).toBe("VALID"), { timeout: 5_000, interval: 20 });
      // notifications arrive in commit order: once this marker is heard, every notification of the creation has been
      const marker = `marker-${created.id}`;
      await getPool().query("SELECT pg_notify($1, $2)", [KEY_EVENTS_CHANNEL, marker]);
      await vi.waitFor(() => expect(heard).toContain(marker), { timeout: 5_000, interval: 20 });
      expect(heard.filter((payload) => payload === hashOf(minted.key))).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });

  test("a minted key whose hash is already stored fails as a bug (500) with an error naming neither the key nor its hash, and stores no second key and no audit event", async () => {
    const owner = await ownerPrincipal();
    const minted = knownKey();
    vi.mocked(mintKey).mockReturnValueOnce(minted).mockReturnValueOnce(minted);
    await create(owner, { name: "first holder" });
    const error: unknown = await create(owner, { name: "second holder" }).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(Error);
    expect(knownFailure(error)).toBeUndefined();
    const hash = Buffer.from(minted.keyHash);
    const everything = JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(error).map((name) => [name, String((error as Record<string, unknown>)[name])])));
    for (const secret of [minted.key, hash.toString("hex"), hash.toString("base64"), hash.toString("base64url")]) expect(everything).not.toContain(secret);
    expect((error as Error).cause).toBeUndefined();

    const { rows } = await getPool().query<{ keys: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM api_keys WHERE user_id = $1) AS keys,
              (SELECT count(*)::int FROM audit_events WHERE user_id = $1 AND event = 'key.created') AS events`,
      [owner.user.id],
    );
    expect(rows[0]).toEqual({ keys: 1, events: 1 });
  });

  test("a creation blocked past the statement timeout (1 s here) fails as DATABASE_UNAVAILABLE (503) within about that time, and stores neither the key nor its audit event", async () => {
    const owner = await ownerPrincipal();
    await create(owner, { name: "warms the pool" });
    // another session holds a lock that every insert into audit_events waits for
    const blocker = await getPool().connect();
    let error: unknown;
    let tookMs = 0;
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE audit_events IN SHARE MODE");
      const started = performance.now();
      error = await create(owner, { name: "blocked" }).catch((failure: unknown) => failure);
      tookMs = performance.now() - started;
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    expect(knownFailure(error)?.code).toBe("DATABASE_UNAVAILABLE");
    expect(tookMs).toBeGreaterThanOrEqual(900);
    expect(tookMs).toBeLessThan(3_000);
    const { rows } = await getPool().query<{ keys: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM api_keys WHERE name = 'blocked' AND user_id = $1) AS keys,
              (SELECT count(*)::int FROM audit_events WHERE key_name = 'blocked' AND user_id = $1) AS events`,
      [owner.user.id],
    );
    expect(rows[0]).toEqual({ keys: 0, events: 0 });
  });
});
