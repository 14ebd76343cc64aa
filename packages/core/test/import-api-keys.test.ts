import { randomBytes } from "node:crypto";

import { hashApiKey, type Principal } from "@keysmith/auth";
import type * as Db from "@keysmith/db";
import { getPool, noteReplicaRoleRefused, type PoolClient, replicaRoleRefused, subscribe } from "@keysmith/db";
import { IMPORT_FIELD_NAMING, KeysmithError, parseInput, ZImportApiKeysInput } from "@keysmith/validators";
import { afterEach, describe, expect, test, vi } from "vitest";

import { importApiKeys } from "../src/index.ts";
import { ownerPrincipal } from "./helpers.ts";

// the real answers unless a test says the role was refused session_replication_role (the test database's superuser never is)
vi.mock("@keysmith/db", async (importOriginal) => {
  const actual = await importOriginal<typeof Db>();
  return { ...actual, replicaRoleRefused: vi.fn(actual.replicaRoleRefused), noteReplicaRoleRefused: vi.fn(actual.noteReplicaRoleRefused) };
});

afterEach(() => {
  vi.mocked(replicaRoleRefused).mockReset();
  vi.mocked(noteReplicaRoleRefused).mockReset();
  vi.restoreAllMocks();
});

const KEY_EVENTS_CHANNEL = "keysmith_api_keys";
const hashOf = (key: string) => Buffer.from(hashApiKey(key)).toString("base64url");

/** `count` keys in another system's format, new each time. */
function foreignKeys(count: number): string[] {
  return Array.from({ length: count }, () => `legacy_${randomBytes(24).toString("base64url")}`);
}

function importKeys(principal: Principal, keys: readonly string[]) {
  const input = parseInput(ZImportApiKeysInput, { keys: keys.map((key, i) => ({ key, name: `imported ${i}` })) }, IMPORT_FIELD_NAMING);
  return importApiKeys({ principal, input, now: new Date() });
}

async function storedCount(keys: readonly string[]): Promise<number> {
  const { rows } = await getPool().query<{ count: string }>("SELECT count(*) FROM api_keys WHERE key_hash = ANY ($1::bytea[])", [
    keys.map((key) => Buffer.from(hashApiKey(key))),
  ]);
  return Number(rows[0]?.count);
}

/** How many keys the account `ownerId` has stored. */
async function keysOf(ownerId: number): Promise<number | undefined> {
  const { rows } = await getPool().query<{ count: number }>("SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1", [ownerId]);
  return rows[0]?.count;
}

async function pidOf(client: PoolClient): Promise<number | undefined> {
  return (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
}

/** Waits until an import's statement, in this test file's database, is blocked by the session `pid`. */
async function importBlockedBy(pid: number | undefined): Promise<void> {
  await vi.waitFor(
    async () => {
      const { rows } = await getPool().query<{ count: number }>(
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND $1 = ANY (pg_blocking_pids(pid)) AND query LIKE '%given AS%'",
        [pid],
      );
      expect(rows[0]?.count).toBe(1);
    },
    { timeout: 5_000, interval: 20 },
  );
}

const modes = [
  { mode: "with the owner checked once", mayReplica: true },
  { mode: "with a foreign-key check per row (the role refused session_replication_role)", mayReplica: false },
];

test("every trigger an INSERT into api_keys or audit_events fires is a foreign-key check or enabled ALWAYS, so import's replica role skips only foreign-key checks", async () => {
  const { rows } = await getPool().query<{ name: string; enabled: string; foreignKey: boolean }>(
    `SELECT t.tgname AS name, t.tgenabled AS enabled, coalesce(t.tgisinternal AND c.contype = 'f', false) AS "foreignKey"
       FROM pg_trigger t LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint
      WHERE t.tgrelid IN ('api_keys'::regclass, 'audit_events'::regclass) AND (t.tgtype & 4) <> 0`,
  );
  // the notification of new keys, and the foreign keys' checks: api_keys' owner and rolled key, audit_events' owner
  expect(rows.filter((row) => !row.foreignKey)).toEqual([{ name: "api_keys_inserted", enabled: "A", foreignKey: false }]);
  expect(rows.filter((row) => row.foreignKey)).toHaveLength(3);
});

describe("importApiKeys", () => {
  test("with the owner checked once, a per-row trigger that is not ENABLE ALWAYS does not fire for the imported rows; checked per row, it fires once a row", async () => {
    const pool = getPool();
    await pool.query("CREATE TABLE import_rows_seen (n int)");
    await pool.query("CREATE FUNCTION import_row_seen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO import_rows_seen VALUES (1); RETURN NULL; END $$");
    await pool.query("CREATE TRIGGER import_row_seen AFTER INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION import_row_seen()");
    const seen = async () => Number((await pool.query<{ count: string }>("SELECT count(*) FROM import_rows_seen")).rows[0]?.count);
    try {
      const owner = await ownerPrincipal();
      const once = foreignKeys(3);
      expect((await importKeys(owner, once)).imported).toBe(3);
      expect(await storedCount(once)).toBe(3);
      expect(await seen()).toBe(0);

      vi.mocked(replicaRoleRefused).mockReturnValue(true);
      const perRow = foreignKeys(3);
      expect((await importKeys(owner, perRow)).imported).toBe(3);
      expect(await storedCount(perRow)).toBe(3);
      expect(await seen()).toBe(3);
    } finally {
      await pool.query("DROP TRIGGER import_row_seen ON api_keys");
      await pool.query("DROP FUNCTION import_row_seen()");
      await pool.query("DROP TABLE import_rows_seen");
    }
  });

  test.each(modes)("$mode, each answered id is the stored key of the item at its place in the call: its name, prefix and hash", async ({ mayReplica }) => {
    if (!mayReplica) vi.mocked(replicaRoleRefused).mockReturnValue(true);
    // 200 keys: their hashes' order (the order the rows are inserted in) is nothing like the order given;
    // each starts with its place, so that each has a prefix of its own (its first 7 characters)
    const keys = foreignKeys(200).map((key, i) => `${i}_${key}`);
    const answer = await importKeys(await ownerPrincipal(), keys);
    const { rows } = await getPool().query<{ id: number; name: string; prefix: string; hash: Buffer }>(
      "SELECT id, name, prefix, key_hash AS hash FROM api_keys WHERE id = ANY ($1::int[])",
      [answer.keys.map((key) => key.id)],
    );
    const stored = new Map(rows.map((row) => [row.id, row]));
    expect(answer.keys).toHaveLength(200);
    expect(new Set(answer.keys.map((key) => key.prefix)).size).toBe(200);
    answer.keys.forEach((key, i) => {
      const row = stored.get(key.id);
      expect({ name: row?.name, prefix: row?.prefix, hash: row?.hash.toString("base64url") }).toEqual({ name: `imported ${i}`, prefix: (keys[i] ?? "").slice(0, 7), hash: hashOf(keys[i] ?? "") });
      expect(key.prefix).toBe(row?.prefix);
      expect(key.name).toBe(`imported ${i}`);
    });
  });

  test.each(modes)("$mode, every imported key's hash is notified to the other instances", async ({ mayReplica }) => {
    if (!mayReplica) vi.mocked(replicaRoleRefused).mockReturnValue(true);
    const heard: string[] = [];
    const other = subscribe(KEY_EVENTS_CHANNEL, { onMessage: (payload) => heard.push(payload), onGap: () => undefined });
    try {
      await vi.waitFor(() => expect(other.connected).toBe(true), { timeout: 10_000, interval: 20 });
      const keys = foreignKeys(3);
      await importKeys(await ownerPrincipal(), keys);
      // notifications arrive in commit order: once this marker is heard, every notification of the import has been
      const marker = `marker-${randomBytes(4).toString("hex")}`;
      await getPool().query("SELECT pg_notify($1, $2)", [KEY_EVENTS_CHANNEL, marker]);
      await vi.waitFor(() => expect(heard).toContain(marker), { timeout: 5_000, interval: 20 });
      const notified = heard.filter((payload) => payload.startsWith("k:")).flatMap((payload) => payload.slice(2).split(","));
      expect(notified.sort()).toEqual(keys.map(hashOf).sort());
    } finally {
      await other.stop();
    }
  });

  test.each(modes)("$mode, an import for an account deleted since the call was authenticated is refused with UNAUTHORIZED, naming why, and stores no key", async ({ mayReplica }) => {
    if (!mayReplica) vi.mocked(replicaRoleRefused).mockReturnValue(true);
    const owner = await ownerPrincipal();
    await getPool().query("DELETE FROM users WHERE id = $1", [owner.user.id]);
    const keys = foreignKeys(2);

    const error: unknown = await importKeys(owner, keys).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(KeysmithError);
    expect((error as KeysmithError).code).toBe("UNAUTHORIZED");
    expect((error as KeysmithError).message).toBe("No key was imported: the account this call acts for no longer exists.");
    expect(await storedCount(keys)).toBe(0);
    const events = await getPool().query("SELECT 1 FROM audit_events WHERE user_id = $1 AND event = 'key.imported'", [owner.user.id]);
    expect(events.rowCount).toBe(0);
  });

  test.each(modes)("$mode, an import waits for a deletion of its account that is under way, and once that commits is refused with UNAUTHORIZED, leaving no key of that account", async ({ mayReplica }) => {
    if (!mayReplica) vi.mocked(replicaRoleRefused).mockReturnValue(true);
    const owner = await ownerPrincipal();
    const keys = foreignKeys(2);
    const deleting = await getPool().connect();
    try {
      await deleting.query("BEGIN");
      await deleting.query("DELETE FROM users WHERE id = $1", [owner.user.id]);
      const deleter = await pidOf(deleting);
      const importing = importKeys(owner, keys).catch((failure: unknown) => failure);
      // the import is blocked by the deletion, not done
      await importBlockedBy(deleter);
      await deleting.query("COMMIT");
      const error = await importing;
      expect((error as KeysmithError).code).toBe("UNAUTHORIZED");
    } finally {
      deleting.release();
    }
    expect(await keysOf(owner.user.id)).toBe(0);
    expect(await storedCount(keys)).toBe(0);
  });

  test.each(modes)("$mode, a deletion of the account that starts while its import is under way waits for the import to commit, then removes the imported keys with the account", async ({ mayReplica }) => {
    if (!mayReplica) vi.mocked(replicaRoleRefused).mockReturnValue(true);
    const pool = getPool();
    const owner = await ownerPrincipal();
    const other = await ownerPrincipal();
    const keys = foreignKeys(2);
    /** The sessions of this test file's database that `pid` is waiting for. */
    const blockersOf = async (pid: number | undefined) =>
      (await pool.query<{ blockers: number[] }>("SELECT pg_blocking_pids($1) AS blockers", [pid])).rows[0]?.blockers ?? [];

    // an uncommitted row holding one of the keys' hashes: the import takes the owner's lock, then waits for it at that key
    const holding = await pool.connect();
    const deleting = await pool.connect();
    try {
      const holder = await pidOf(holding);
      const deleter = await pidOf(deleting);
      await holding.query("BEGIN");
      await holding.query("INSERT INTO api_keys (user_id, name, key_hash, prefix) VALUES ($1, 'held', $2, 'held')", [other.user.id, Buffer.from(hashApiKey(keys[0] ?? ""))]);
      const importing = importKeys(owner, keys);
      await importBlockedBy(holder);
      const deletion = deleting.query("DELETE FROM users WHERE id = $1", [owner.user.id]);
      // the deletion waits for the import (the owner's row, locked FOR KEY SHARE), not the other way round
      await vi.waitFor(async () => expect((await blockersOf(deleter)).length).toBe(1), { timeout: 5_000, interval: 20 });
      expect(await blockersOf(deleter)).not.toContain(holder);

      await holding.query("ROLLBACK");
      expect((await importing).imported).toBe(2);
      await deletion;
    } finally {
      holding.release();
      deleting.release();
    }
    expect(await keysOf(owner.user.id)).toBe(0);
    expect(await storedCount(keys)).toBe(0);
  });

  test("a role refused session_replication_role (insufficient_privilege) gets its keys stored by the statement with per-row checks, and the refusal is noted for the pool", async () => {
    const pool = getPool();
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    const sent: string[] = [];
    // the statement that sets the role refused as PostgreSQL refuses a role without the right; everything else sent on
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) => {
      const name = (args[0] as { name?: string }).name ?? "";
      sent.push(name);
      if (name === "keysmith_import_keys_owner_once") {
        return Promise.reject(Object.assign(new Error('permission denied to set parameter "session_replication_role"'), { code: "42501" }));
      }
      return query(...args);
    };
    vi.mocked(noteReplicaRoleRefused).mockImplementation(() => undefined);
    const keys = foreignKeys(2);
    try {
      expect((await importKeys(await ownerPrincipal(), keys)).imported).toBe(2);
    } finally {
      // the pool's own method again, from its prototype
      delete (pool as unknown as { query?: unknown }).query;
    }
    expect(await storedCount(keys)).toBe(2);
    expect(sent.filter((name) => name.startsWith("keysmith_import_keys"))).toEqual(["keysmith_import_keys_owner_once", "keysmith_import_keys"]);
    expect(noteReplicaRoleRefused).toHaveBeenCalledWith(pool);
  });

  // (a statement that fails through pool.query closes its connection: pg-pool releases it with the error)
  test("after an import that checked the owner once, every connection left in the pool is back to session_replication_role origin", async () => {
    await importKeys(await ownerPrincipal(), foreignKeys(2));

    const pool = getPool();
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    try {
      const roles = await Promise.all(clients.map(async (client) => (await client.query<{ role: string }>("SELECT current_setting('session_replication_role') AS role")).rows[0]?.role));
      expect(roles.length).toBeGreaterThan(0);
      expect(new Set(roles)).toEqual(new Set(["origin"]));
    } finally {
      for (const client of clients) client.release();
    }
  });
});
