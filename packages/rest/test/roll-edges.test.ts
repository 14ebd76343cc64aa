/**
 * Rolling the keys that are not plain native keys: an imported key of another
 * format (foreign), and a key whose credits live on its successor during the
 * grace. Over REST, with a real database and the key cache in use throughout.
 */
import { randomBytes } from "node:crypto";

import { hashApiKey, keyCache } from "@keysmith/auth";
import { getPool, subscribe, type Subscription } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

const auth = (credential: string) => ({ authorization: `Bearer ${credential}`, "content-type": "application/json" });
const sha256Hex = (key: string) => Buffer.from(hashApiKey(key)).toString("hex");
/** A key in another system's format: a fixed vendor prefix and 32 random characters. */
const foreignKey = () => `sk_live_${randomBytes(24).toString("base64url")}`;

type Verified = { valid: boolean; code: string; id: number | null; remaining: number | null };
type Rolled = { id: number; key: string; scopes: string[]; replaces: { id: number; revoked_at: string } };

async function signedIn() {
  const { username, password } = await newUser();
  return tokenFor(username, password);
}

async function create(token: string, body: object) {
  const response = await call("POST", "/api-keys", { body: JSON.stringify({ name: "k", ...body }), headers: auth(token) });
  expect(response.status).toBe(201);
  return (await json(response)).data as { id: number; key: string };
}

async function importOne(token: string, item: object): Promise<number> {
  const response = await call("POST", "/api-keys/import", { body: JSON.stringify({ keys: [{ name: "legacy", ...item }] }), headers: auth(token) });
  expect(response.status).toBe(201);
  const [imported] = ((await json(response)).data as { keys: { id: number }[] }).keys;
  if (!imported) throw new Error("the import answered no key");
  return imported.id;
}

async function roll(credential: string, id: number, graceSeconds = 3600): Promise<Rolled> {
  const response = await call("POST", `/api-keys/${id}/roll`, { body: JSON.stringify({ grace_seconds: graceSeconds }), headers: auth(credential) });
  expect(response.status).toBe(201);
  return (await json(response)).data as Rolled;
}

async function verify(token: string, key: string): Promise<Verified> {
  const response = await call("POST", "/api-keys/verify", { body: JSON.stringify({ key }), headers: auth(token) });
  expect(response.status).toBe(200);
  return (await json(response)).data as Verified;
}

/**
 * Verifies `key` until this instance holds it in its key cache: the roll's own notifications, arriving
 * after a first lookup, may drop that entry. Answers the last verification.
 */
async function cached(token: string, key: string): Promise<Verified> {
  const hash = Buffer.from(hashApiKey(key)).toString("base64url");
  await new Promise((resolve) => setTimeout(resolve, 200));
  return vi.waitFor(
    async () => {
      const last = await verify(token, key);
      expect(keyCache.known.get(hash, Date.now())).toBeDefined();
      return last;
    },
    { timeout: 5000, interval: 50 },
  );
}

function patch(token: string, id: number, body: object) {
  return call("PATCH", `/api-keys/${id}`, { body: JSON.stringify(body), headers: auth(token) });
}

describe("rolling an imported key of another format (foreign)", () => {
  test.each([
    ["imported as plaintext", (key: string) => ({ key })],
    ["imported by hash", (key: string) => ({ key_hash: sha256Hex(key) })],
  ])(
    "%s: the ak_ successor answers VALID on the verify route with the old key's scopes, but as a Bearer credential GET and POST /api-keys answer 401, so the roll mints nothing stronger than the foreign key",
    async (_, item) => {
      const token = await signedIn();
      const legacy = foreignKey();
      const id = await importOne(token, item(legacy));

      const rolled = await roll(token, id);
      expect(rolled.key).toMatch(/^ak_/);
      // imported keys default to all three scopes, keys:write included
      expect(rolled.scopes).toEqual(["keys:read", "keys:write", "keys:verify"]);
      expect(await verify(token, rolled.key)).toMatchObject({ valid: true, code: "VALID", id: rolled.id });
      // the old key works through the verify route during the grace, as before
      expect(await verify(token, legacy)).toMatchObject({ valid: true, code: "VALID", id });

      expect((await call("GET", "/api-keys", { headers: auth(rolled.key) })).status).toBe(401);
      const minted = await call("POST", "/api-keys", { body: JSON.stringify({ name: "minted by a foreign successor" }), headers: auth(rolled.key) });
      expect(minted.status).toBe(401);
    },
  );

  test("GET /api-keys/{id} says foreign: true for a key imported in another format and for its rolled successor, and false for a native key", async () => {
    const token = await signedIn();
    const id = await importOne(token, { key: foreignKey() });
    const rolled = await roll(token, id);
    const native = await create(token, {});
    const foreignOf = async (keyId: number) => ((await json(await call("GET", `/api-keys/${keyId}`, { headers: auth(token) }))).data as { foreign: boolean }).foreign;
    expect([await foreignOf(id), await foreignOf(rolled.id), await foreignOf(native.id)]).toEqual([true, true, false]);
  });

  test("the successor of a foreign key's successor is foreign too: GET /api-keys with it answers 401, and it verifies VALID", async () => {
    const token = await signedIn();
    const id = await importOne(token, { key: foreignKey() });
    const first = await roll(token, id, 0);
    const second = await roll(token, first.id, 0);
    expect((await call("GET", "/api-keys", { headers: auth(second.key) })).status).toBe(401);
    expect(await verify(token, second.key)).toMatchObject({ valid: true, code: "VALID", id: second.id });
  });

  test("rolling an imported ak_ key (plaintext, not foreign) still gives a successor that works as a Bearer credential: GET /api-keys answers 200", async () => {
    const token = await signedIn();
    const native = await create(token, { name: "donor" });
    // a valid ak_ key from elsewhere: a native one, deleted first so it is not stored twice
    expect((await call("DELETE", `/api-keys/${native.id}`, { headers: auth(token) })).status).toBe(200);
    const id = await importOne(token, { key: native.key });
    const rolled = await roll(token, id, 0);
    expect((await call("GET", "/api-keys", { headers: auth(rolled.key) })).status).toBe(200);
  });
});

describe("credits during a roll's grace follow the successor", () => {
  test("a key rolled without credits, its successor then given remaining 1: after the old key was verified (and cached) VALID with remaining null, the old and new key share the one credit: one VALID with remaining 0, then USAGE_EXCEEDED for both", async () => {
    const token = await signedIn();
    const old = await create(token, {});
    const rolled = await roll(token, old.id);
    // cached: unlimited, as the successor is now
    expect(await cached(token, old.key)).toMatchObject({ code: "VALID", remaining: null });

    expect((await patch(token, rolled.id, { remaining: 1 })).status).toBe(200);

    expect(await verify(token, old.key)).toMatchObject({ code: "VALID", remaining: 0 });
    expect(await verify(token, old.key)).toMatchObject({ code: "USAGE_EXCEEDED", remaining: 0 });
    expect(await verify(token, rolled.key)).toMatchObject({ code: "USAGE_EXCEEDED", remaining: 0 });
  });

  test("a key rolled with 100 credits, its successor then made unlimited (remaining null): after the old key was verified (and cached) VALID spending the successor's credits, it answers VALID with remaining null, as the successor does", async () => {
    const token = await signedIn();
    const old = await create(token, { remaining: 100 });
    const rolled = await roll(token, old.id);
    const before = await cached(token, old.key);
    expect(before).toMatchObject({ code: "VALID", remaining: expect.any(Number) });
    expect((await json(await call("GET", `/api-keys/${rolled.id}`, { headers: auth(token) }))).data).toMatchObject({ remaining: before.remaining });

    expect((await patch(token, rolled.id, { remaining: null })).status).toBe(200);

    expect(await verify(token, old.key)).toMatchObject({ code: "VALID", remaining: null });
    expect(await verify(token, old.key)).toMatchObject({ code: "VALID", remaining: null });
    expect(await verify(token, rolled.key)).toMatchObject({ code: "VALID", remaining: null });
  });

  /** A key created with 10 credits, rolled, its successor rolled again; the first key then verified once (9 left). */
  async function rolledTwice(token: string) {
    const first = await create(token, { remaining: 10 });
    const second = await roll(token, first.id);
    const third = await roll(token, second.id);
    expect(await verify(token, first.key)).toMatchObject({ code: "VALID", remaining: 9 });
    return { first, second, third };
  }

  test("a key rolled with credits whose successor is rolled again during the grace spends from the newest key: verifying the first key lowers the third key's remaining", async () => {
    const token = await signedIn();
    const { third } = await rolledTwice(token);
    expect(await verify(token, third.key)).toMatchObject({ code: "VALID", remaining: 8 });
  });

  test("GET of a key rolled twice with credits and a refill answers the credits and refill of the newest key of its lineage, which its verifications spend", async () => {
    const token = await signedIn();
    const { first, second, third } = await rolledTwice(token);
    // remaining below the refill's amount: a refill wrongly taken as due would show 50
    expect((await patch(token, third.id, { remaining: 30, refill: { amount: 50, interval: "day" } })).status).toBe(200);
    for (const id of [first.id, second.id, third.id]) {
      expect((await json(await call("GET", `/api-keys/${id}`, { headers: auth(token) }))).data, `key ${id}`).toMatchObject({ remaining: 30, refill: { amount: 50, interval: "day" } });
    }
  });

  test.each([
    ["remaining", { remaining: 500 }, ["remaining"]],
    ["refill", { refill: { amount: 5, interval: "day" } }, ["refill"]],
    ["remaining and refill", { remaining: 500, refill: { amount: 5, interval: "day" } }, ["remaining", "refill"]],
  ])(
    "PATCH of %s on a rolling key is 409 with errors naming exactly those fields and the successor's id; the successor's credits, which the old key spends, are unchanged",
    async (_, body, fields) => {
      const token = await signedIn();
      const old = await create(token, { remaining: 100 });
      const rolled = await roll(token, old.id);

      const response = await patch(token, old.id, body);
      expect(response.status).toBe(409);
      const answer = await json(response);
      expect(Object.keys(answer.errors ?? {}).sort()).toEqual([...fields].sort());
      for (const field of fields) expect(answer.errors?.[field]).toEqual([expect.stringContaining(`key ${rolled.id}`)]);
      expect(answer.message).toContain(`key ${rolled.id}`);

      expect(await verify(token, old.key)).toMatchObject({ code: "VALID", remaining: 99 });
      expect((await json(await call("GET", `/api-keys/${rolled.id}`, { headers: auth(token) }))).data).toMatchObject({ remaining: 99, refill: null });
    },
  );

  test("PATCH of a rolling key's name is still 200", async () => {
    const token = await signedIn();
    const old = await create(token, { remaining: 100 });
    await roll(token, old.id);
    expect((await patch(token, old.id, { name: "renamed while rolling" })).status).toBe(200);
  });
});

describe("a change of the successor's credits reaches every instance's cache of the old key", () => {
  let listener: Subscription | undefined;
  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
  });

  test("PATCH remaining on the successor NOTIFYs the hash of the old key still in its grace on keysmith_api_keys (what another instance's key cache listens to)", async () => {
    const heard: string[] = [];
    listener = subscribe("keysmith_api_keys", { onMessage: (payload) => heard.push(payload), onGap: () => undefined });
    const deadline = Date.now() + 10_000;
    while (!listener.connected) {
      if (Date.now() > deadline) throw new Error("the test's listener never connected");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const token = await signedIn();
    const old = await create(token, {});
    const rolled = await roll(token, old.id);
    const oldHash = Buffer.from(hashApiKey(old.key)).toString("base64url");
    // let the roll's own notifications arrive, then listen for the PATCH's only
    await new Promise((resolve) => setTimeout(resolve, 200));
    heard.length = 0;

    expect((await patch(token, rolled.id, { remaining: 1 })).status).toBe(200);

    const until = Date.now() + 5_000;
    while (!heard.includes(oldHash) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toContain(oldHash);
  });

  test("an operator's SQL giving the successor credits reaches this instance's cached answer for the old key: it then spends the one credit with the successor", async () => {
    const token = await signedIn();
    const old = await create(token, {});
    const rolled = await roll(token, old.id);
    expect(await cached(token, old.key)).toMatchObject({ code: "VALID", remaining: null });

    await getPool().query("UPDATE api_keys SET remaining = 1 WHERE id = $1", [rolled.id]);

    await vi.waitFor(async () => expect(await verify(token, old.key)).toMatchObject({ code: "VALID", remaining: 0 }), { timeout: 5000, interval: 50 });
    expect(await verify(token, rolled.key)).toMatchObject({ code: "USAGE_EXCEEDED" });
  });

  test("deleting the successor reaches this instance's cached answer for the old key: it then spends its own credits (none left) and is USAGE_EXCEEDED", async () => {
    const token = await signedIn();
    const old = await create(token, { remaining: 100 });
    const rolled = await roll(token, old.id);
    expect((await patch(token, rolled.id, { remaining: null })).status).toBe(200);
    expect(await cached(token, old.key)).toMatchObject({ code: "VALID", remaining: null });

    expect((await call("DELETE", `/api-keys/${rolled.id}`, { headers: auth(token) })).status).toBe(200);

    await vi.waitFor(async () => expect(await verify(token, old.key)).toMatchObject({ code: "USAGE_EXCEEDED" }), { timeout: 5000, interval: 50 });
  });
});
