/**
 * POST /api-keys/import: existing keys, all stored or none, each failing item
 * named; imported keys verified by hash, foreign ones never Bearer
 * credentials. A real database throughout.
 */
import { randomBytes } from "node:crypto";

import { generateApiKey, hashApiKey } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

const auth = (credential: string) => ({ authorization: `Bearer ${credential}`, "content-type": "application/json" });
const sha256Hex = (key: string) => Buffer.from(hashApiKey(key)).toString("hex");
/** A key in another system's format: a fixed vendor prefix and 32 random characters. */
const foreignKey = () => `sk_live_${randomBytes(24).toString("base64url")}`;
const HOUR = 60 * 60 * 1000;

type Imported = { imported: number; keys: { id: number; name: string; prefix: string }[] };
type Verified = { valid: boolean; code: string; id: number | null; scopes: string[] | null; expires_at: string | null };

async function owner() {
  const { user, username, password } = await newUser();
  return { user, token: await tokenFor(username, password) };
}

function importKeys(credential: string, keys: unknown[]) {
  return call("POST", "/api-keys/import", { body: JSON.stringify({ keys }), headers: auth(credential) });
}

async function verify(credential: string, key: string, scopes?: string[]): Promise<Verified> {
  const body = JSON.stringify({ key, ...(scopes ? { scopes } : {}) });
  return (await json(await call("POST", "/api-keys/verify", { body, headers: auth(credential) }))).data as Verified;
}

async function listed(credential: string, query = "") {
  const response = await call("GET", `/api-keys${query}`, { headers: auth(credential) });
  expect(response.status).toBe(200);
  return (await json(response)).data as { id: number; name: string; partial_key_data: string }[];
}

describe("POST /api-keys/import: bad input", () => {
  test("an item without a name, with both key and key_hash, with neither, with a malformed key_hash or a key under 16 characters is a 400 naming each item and field; nothing is stored", async () => {
    const { token } = await owner();
    const response = await importKeys(token, [
      { key: foreignKey(), name: "fine" },
      { key: foreignKey() },
      { key: foreignKey(), key_hash: sha256Hex(foreignKey()), name: "both" },
      { name: "neither" },
      { key_hash: "ABC123", name: "bad hash" },
      { key: "short-key", name: "short" },
    ]);
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.errors).toEqual({
      "keys[1].name": ["Name is required."],
      "keys[2]": ["Give either key or key_hash, not both."],
      "keys[3]": ["Give the key itself (key) or its SHA-256 (key_hash)."],
      "keys[4].key_hash": ["key_hash must be the key's SHA-256 (of its UTF-8 bytes) as 64 lowercase hex characters."],
      "keys[5].key": ["key must be at least 16 characters: a shorter key could be guessed."],
    });
    expect(body.message).toBe("No key was imported: 5 of 6 cannot be imported as given. keys[1].name: Name is required.");
    expect(await listed(token)).toEqual([]);
  });

  test("1,001 keys in one call is a 400 naming keys; nothing is stored", async () => {
    const { token } = await owner();
    const response = await importKeys(token, Array.from({ length: 1_001 }, (_, i) => ({ key_hash: sha256Hex(foreignKey()), name: `k${i}` })));
    expect(response.status).toBe(400);
    expect((await json(response)).errors).toEqual({ keys: ["keys can list at most 1000 keys per call; split the import into several calls."] });
    expect(await listed(token)).toEqual([]);
  });

  test("an expiry in the past and an ak_ key whose checksum fails are a 400 naming keys[i].expires_at and keys[j].key; nothing is stored", async () => {
    const { token } = await owner();
    const real = generateApiKey();
    const mistyped = `${real.slice(0, 10)}${real[10] === "A" ? "B" : "A"}${real.slice(11)}`;
    const response = await importKeys(token, [
      { key: foreignKey(), name: "fine" },
      { key: foreignKey(), name: "past", expires_at: new Date(Date.now() - HOUR).toISOString() },
      { key: mistyped, name: "mistyped" },
    ]);
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.errors).toEqual({
      "keys[1].expires_at": ["expires_at must be in the future."],
      "keys[2].key": ["This key starts with ak_ but is not a Keysmith key (its length, characters or checksum are wrong): check that it was copied whole."],
    });
    expect(body.message).toBe("No key was imported: 2 of 3 cannot be imported as given. keys[1].expires_at: expires_at must be in the future.");
    expect(await listed(token)).toEqual([]);
  });
});

describe("POST /api-keys/import: duplicates", () => {
  test("the same key twice in one call, as its plaintext and as its hash, is a 400 naming the later item; nothing is stored", async () => {
    const { token } = await owner();
    const key = foreignKey();
    const response = await importKeys(token, [{ key, name: "first" }, { key: foreignKey(), name: "other" }, { key_hash: sha256Hex(key), name: "again" }]);
    expect(response.status).toBe(400);
    expect((await json(response)).errors).toEqual({ "keys[2]": ["This is the same key as keys[0]: each key can be imported once."] });
    expect(await listed(token)).toEqual([]);
  });

  test("keys already stored (a native key, a key imported before, another user's key) are a 409 naming each such item; nothing of the call is stored", async () => {
    const { token } = await owner();
    const native = (await json(await call("POST", "/api-keys", { body: '{"name": "native"}', headers: auth(token) }))).data as { key: string };
    const earlier = foreignKey();
    expect((await importKeys(token, [{ key: earlier, name: "earlier" }])).status).toBe(201);
    const stranger = await owner();
    const theirs = (await json(await call("POST", "/api-keys", { body: '{"name": "theirs"}', headers: auth(stranger.token) }))).data as { key: string };

    const fresh = [foreignKey(), foreignKey(), foreignKey()];
    const response = await importKeys(token, [
      { key: fresh[0], name: "fresh 0" },
      { key: native.key, name: "native again" },
      { key: fresh[1], name: "fresh 1" },
      { key_hash: sha256Hex(earlier), name: "earlier again" },
      { key: theirs.key, name: "theirs" },
      { key: fresh[2], name: "fresh 2" },
    ]);
    expect(response.status).toBe(409);
    const body = await json(response);
    const stored = ["This key is already stored in Keysmith."];
    expect(body.errors).toEqual({ "keys[1]": stored, "keys[3]": stored, "keys[4]": stored });
    expect(body.message).toBe("No key was imported: 3 of 6 are already stored in Keysmith. keys[1]: This key is already stored in Keysmith.");
    expect((await listed(token)).map((key) => key.name).sort()).toEqual(["earlier", "native"]);
    for (const key of fresh) expect((await verify(token, key)).code).toBe("MALFORMED");
  });
});

describe("POST /api-keys/import: all or nothing", () => {
  test("one bad item among 50 stores none of the 50, and the answer names only that item", async () => {
    const { token, user } = await owner();
    const keys = Array.from({ length: 50 }, (_, i) => ({ key: foreignKey(), name: `key ${i}`, rate_limit_per_minute: i === 37 ? 0 : 60 }));
    const response = await importKeys(token, keys);
    expect(response.status).toBe(400);
    expect(Object.keys((await json(response)).errors ?? {})).toEqual(["keys[37].rate_limit_per_minute"]);
    expect(await getDb().apiKey.count({ where: { userId: user.id } })).toBe(0);
    expect((await verify(token, keys[0]?.key ?? "")).code).toBe("MALFORMED");
  });
});

describe("POST /api-keys/import: verifying imported keys", () => {
  test("an imported ak_ key verifies VALID and authenticates its importer as a Bearer credential", async () => {
    const { token, user } = await owner();
    const key = generateApiKey();
    const response = await importKeys(token, [{ key, name: "from the old deployment" }]);
    expect(response.status).toBe(201);
    const { keys } = (await json(response)).data as Imported;
    expect(keys).toEqual([{ id: expect.any(Number), name: "from the old deployment", prefix: key.slice(0, 7) }]);
    expect(await verify(token, key)).toMatchObject({ valid: true, code: "VALID", id: keys[0]?.id });
    const asBearer = await call("GET", "/api-keys", { headers: auth(key) });
    expect(asBearer.status).toBe(200);
    expect(((await json(asBearer)).data as { id: number }[]).map((item) => item.id)).toEqual([keys[0]?.id]);
    expect((await getDb().apiKey.findFirstOrThrow({ where: { userId: user.id } })).foreign).toBe(false);
  });

  test("a foreign key verifies VALID with its scopes, expiry and rate limit honoured, answers REVOKED once revoked, and is refused as a Bearer credential with 401", async () => {
    const { token } = await owner();
    const key = foreignKey();
    const expiresAt = new Date(Date.now() + HOUR).toISOString();
    const brief = foreignKey();
    const response = await importKeys(token, [
      { key, name: "limited", scopes: ["keys:read"], expires_at: expiresAt, rate_limit_per_minute: 2 },
      { key: brief, name: "brief", expires_at: new Date(Date.now() + 1_500).toISOString() },
    ]);
    expect(response.status).toBe(201);
    const [limited] = ((await json(response)).data as Imported).keys;

    expect(await verify(token, key)).toMatchObject({ valid: true, code: "VALID", id: limited?.id, scopes: ["keys:read"], expires_at: expiresAt });
    expect((await verify(token, key, ["keys:write"])).code).toBe("INSUFFICIENT_SCOPE");
    expect((await verify(token, key)).code).toBe("VALID");
    expect((await verify(token, key)).code).toBe("RATE_LIMITED");

    const bearer = await call("GET", "/api-keys", { headers: auth(key) });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get("www-authenticate")).toMatch(/^Bearer/);

    expect((await call("POST", `/api-keys/${limited?.id}/revoke`, { headers: auth(token) })).status).toBe(200);
    expect((await verify(token, key)).code).toBe("REVOKED");

    expect((await verify(token, brief)).code).toBe("VALID");
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await verify(token, brief)).code).toBe("EXPIRED");
  });

  test("a junk value that is no key answers MALFORMED through verify, whether or not it starts with ak_", async () => {
    const { token } = await owner();
    expect(await verify(token, "definitely-not-any-key-0123456789")).toMatchObject({ valid: false, code: "MALFORMED", id: null });
    expect((await verify(token, "ak_definitely-not-any-key-0123456789")).code).toBe("MALFORMED");
  });

  test("a key imported by its hash verifies VALID when its plaintext is presented, and is refused as a Bearer credential with 401, ak_ key or not", async () => {
    const { token } = await owner();
    const foreign = foreignKey();
    const native = generateApiKey();
    const response = await importKeys(token, [
      { key_hash: sha256Hex(foreign), name: "by hash" },
      { key_hash: sha256Hex(native), name: "ak_ by hash" },
    ]);
    expect(response.status).toBe(201);
    const { keys } = (await json(response)).data as Imported;
    expect(await verify(token, foreign)).toMatchObject({ valid: true, code: "VALID", id: keys[0]?.id });
    expect(await verify(token, native)).toMatchObject({ valid: true, code: "VALID", id: keys[1]?.id });
    expect((await call("GET", "/api-keys", { headers: auth(foreign) })).status).toBe(401);
    const asBearer = await call("GET", "/api-keys", { headers: auth(native) });
    expect(asBearer.status).toBe(401);
    expect((await json(asBearer)).message).toBe("The API key is not valid: it was deleted, or never existed.");
  });
});

describe("POST /api-keys/import: an API key importing", () => {
  test("an API-key caller importing a key stronger than itself gets 403 naming that item's fields, and nothing is stored; within its bounds it imports", async () => {
    const { token } = await owner();
    const endsAt = new Date(Date.now() + 24 * HOUR);
    const caller = (await json(await call("POST", "/api-keys", {
      body: JSON.stringify({ name: "importer", scopes: ["keys:read", "keys:write"], rate_limit_per_minute: 100, expires_at: endsAt.toISOString() }),
      headers: auth(token),
    }))).data as { key: string };
    const within = { key: foreignKey(), name: "within", scopes: ["keys:read"], rate_limit_per_minute: 50, expires_at: new Date(Date.now() + HOUR).toISOString() };

    const refused = await importKeys(caller.key, [within, { key: foreignKey(), name: "stronger" }]);
    expect(refused.status).toBe(403);
    expect(Object.keys((await json(refused)).errors ?? {}).sort()).toEqual(["keys[1].expires_at", "keys[1].rate_limit_per_minute", "keys[1].scopes"]);
    expect((await listed(token)).map((key) => key.name)).toEqual(["importer"]);

    const accepted = await importKeys(caller.key, [within]);
    expect(accepted.status).toBe(201);
    expect((await listed(token)).map((key) => key.name)).toEqual(["within", "importer"]);
  });
});

describe("POST /api-keys/import: 1,000 keys", () => {
  test("1,000 keys in one call (plaintext ak_, plaintext foreign, by hash) are all stored, the 666 not given as ak_ plaintext marked foreign, and answered 201 in the order given, with ids increasing in that order", async () => {
    const { token, user } = await owner();
    const items = Array.from({ length: 1_000 }, (_, i) => {
      const name = `bulk ${i}`;
      if (i % 3 === 0) return { key: generateApiKey(), name, description: "imported from the old deployment, one of many" };
      if (i % 3 === 1) return { key: foreignKey(), name, description: "imported from the old vendor, one of many", rate_limit_per_minute: 600 };
      return { key_hash: sha256Hex(foreignKey()), name, scopes: ["keys:verify"] };
    });
    const response = await importKeys(token, items);
    expect(response.status).toBe(201);
    const data = (await json(response)).data as Imported;
    expect(data.imported).toBe(1_000);
    expect(data.keys.map((key) => key.name)).toEqual(items.map((item) => item.name));
    expect(new Set(data.keys.map((key) => key.id)).size).toBe(1_000);
    expect(data.keys.map((key) => key.id)).toEqual(data.keys.map((key) => key.id).sort((a, b) => a - b));
    expect(await getDb().apiKey.count({ where: { userId: user.id } })).toBe(1_000);
    expect(await getDb().apiKey.count({ where: { userId: user.id, foreign: true } })).toBe(666);
  });
});

describe("POST /api-keys/import: lists", () => {
  test("the list shows imported keys by safe prefixes (ak_ and 4, 7 characters of a long foreign key, 3 of a short one, # and 6 hex digits of a hash) and search finds them by prefix", async () => {
    const { token } = await owner();
    const native = generateApiKey();
    const long = foreignKey();
    const short = `tok_${randomBytes(12).toString("hex")}`.slice(0, 20);
    const hash = sha256Hex(foreignKey());
    expect((await importKeys(token, [
      { key: native, name: "native" },
      { key: long, name: "long" },
      { key: short, name: "short" },
      { key_hash: hash, name: "hash" },
    ])).status).toBe(201);

    const list = await listed(token);
    expect(Object.fromEntries(list.map((key) => [key.name, key.partial_key_data]))).toEqual({
      native: `${native.slice(0, 7)}…`,
      long: "sk_live…",
      short: "tok…",
      hash: `#${hash.slice(0, 6)}…`,
    });
    const text = JSON.stringify(list);
    for (const secret of [native.slice(7), long.slice(7), short.slice(3)]) expect(text).not.toContain(secret);
    expect((await listed(token, `?search=${encodeURIComponent(`#${hash.slice(0, 4)}`)}`)).map((key) => key.name)).toEqual(["hash"]);
    expect((await listed(token, "?search=sk_live")).map((key) => key.name)).toEqual(["long"]);
  });
});

describe("POST /api-keys/import: overlapping imports", () => {
  test("two overlapping imports of the same 250 keys, one in reverse order, by two users: one answers 201 and the other 409 naming all 250 items, never 500, five times over", async () => {
    const [first, second] = [await owner(), await owner()];
    for (let round = 0; round < 5; round += 1) {
      const keys = Array.from({ length: 250 }, (_, i) => ({ key: foreignKey(), name: `shared ${round}.${i}` }));
      const responses = await Promise.all([importKeys(first.token, keys), importKeys(second.token, [...keys].reverse())]);
      expect(responses.map((response) => response.status).sort(), `round ${round}`).toEqual([201, 409]);
      const refused = responses.find((response) => response.status === 409);
      const errors = (await json(refused ?? new Response("{}"))).errors ?? {};
      expect(Object.keys(errors)).toHaveLength(250);
      expect(new Set(Object.values(errors).flat())).toEqual(new Set(["This key is already stored in Keysmith."]));
    }
  });
});

describe("POST /api-keys/import: an API key importing, the call as a whole", () => {
  async function callerKey(token: string, body: object) {
    return (await json(await call("POST", "/api-keys", { body: JSON.stringify({ name: "importer", ...body }), headers: auth(token) }))).data as { id: number; key: string };
  }
  const creditsOf = async (token: string, id: number) => ((await json(await call("GET", `/api-keys/${id}`, { headers: auth(token) }))).data as { remaining: number }).remaining;

  test("an API key importing keys whose credits add up to one more than it has left after paying for the call gets 403 naming keys with the total; credits adding up to exactly what it has left import", async () => {
    const { token } = await owner();
    const caller = await callerKey(token, { remaining: 10 });

    // the call itself costs a credit: 9 left to give
    const refused = await importKeys(caller.key, [
      { key: foreignKey(), name: "half", remaining: 5 },
      { key: foreignKey(), name: "other half", remaining: 5 },
    ]);
    expect(refused.status).toBe(403);
    const body = await json(refused);
    expect(body.errors).toEqual({ keys: ["This API key has 9 credits left, so the keys it imports can have at most 9 credits in all (their remaining added up), not 10."] });
    expect(body.message).toBe(
      "No key was imported: together, these 2 keys would be stronger than the API key importing them. keys: This API key has 9 credits left, so the keys it imports can have at most 9 credits in all (their remaining added up), not 10.",
    );
    expect((await listed(token)).map((key) => key.name)).toEqual(["importer"]);

    const left = (await creditsOf(token, caller.id)) - 1;
    const accepted = await importKeys(caller.key, [
      { key: foreignKey(), name: "most", remaining: left - 1 },
      { key: foreignKey(), name: "one", remaining: 1 },
    ]);
    expect(accepted.status).toBe(201);
    expect(await creditsOf(token, caller.id)).toBe(left);
  });

  test("an API key refilled with 100 credits a day importing keys whose refills add up to 110 a day gets 403 naming keys with the total; refills adding up to 100 a day import", async () => {
    const { token } = await owner();
    const caller = await callerKey(token, { remaining: 1_000, refill: { amount: 100, interval: "day" } });
    const refused = await importKeys(caller.key, [
      { key: foreignKey(), name: "a", remaining: 1, refill: { amount: 50, interval: "day" } },
      { key: foreignKey(), name: "b", remaining: 1, refill: { amount: 60, interval: "day" } },
    ]);
    expect(refused.status).toBe(403);
    expect((await json(refused)).errors).toEqual({
      keys: ["This API key is refilled with 100 credits a day, so the keys it imports can be refilled with at most 100 credits a day in all (their refill.amount added up), not 110."],
    });
    const accepted = await importKeys(caller.key, [
      { key: foreignKey(), name: "a", remaining: 1, refill: { amount: 50, interval: "day" } },
      { key: foreignKey(), name: "b", remaining: 1, refill: { amount: 50, interval: "day" } },
    ]);
    expect(accepted.status).toBe(201);
  });

  test("an API key limited to 100 verifications a minute importing keys whose limits add up to 120 gets 403 naming keys with the total, beside the item asking for no limit; limits adding up to 100 import", async () => {
    const { token } = await owner();
    const caller = await callerKey(token, { rate_limit_per_minute: 100 });
    const refused = await importKeys(caller.key, [
      { key: foreignKey(), name: "a", rate_limit_per_minute: 60 },
      { key: foreignKey(), name: "b", rate_limit_per_minute: 60 },
      { key: foreignKey(), name: "unlimited" },
    ]);
    expect(refused.status).toBe(403);
    expect((await json(refused)).errors).toEqual({
      "keys[2].rate_limit_per_minute": ["This API key allows 100 verifications a minute, so it cannot issue a key with no limit: set rate_limit_per_minute to 100 or less."],
      keys: ["This API key allows 100 verifications a minute, so the keys it imports can allow at most 100 a minute in all (their rate_limit_per_minute added up), not 120."],
    });
    expect((await listed(token)).map((key) => key.name)).toEqual(["importer"]);
    const accepted = await importKeys(caller.key, [
      { key: foreignKey(), name: "a", rate_limit_per_minute: 50 },
      { key: foreignKey(), name: "b", rate_limit_per_minute: 50 },
    ]);
    expect(accepted.status).toBe(201);
  });
});

describe("POST /api-keys/import: the key as given", () => {
  test("a key with spaces around it (\" ak_…\", \"  ws_…  \") is a 400 naming keys[0].key and keys[1].key (remove the spaces around it); nothing is stored", async () => {
    const { token } = await owner();
    const spaced = ["keys[0].key", "keys[1].key"];
    const response = await importKeys(token, [
      { key: ` ${generateApiKey()}`, name: "leading space" },
      { key: `  ws_${randomBytes(16).toString("hex")}  `, name: "spaces both sides" },
      { key: foreignKey(), name: "fine" },
    ]);
    expect(response.status).toBe(400);
    const reason = "key starts or ends with spaces: remove the spaces around it. The key is stored exactly as sent, and with them it would never match the real one.";
    expect((await json(response)).errors).toEqual(Object.fromEntries(spaced.map((field) => [field, [reason]])));
    expect(await listed(token)).toEqual([]);
  });

  test("a key's length is counted in UTF-16 units, as verify counts it: 300 emoji (600 units) is a 400 naming keys[0].key; 256 emoji (512 units) imports, verifies VALID, and is listed by a prefix of 3 whole emoji", async () => {
    const { token } = await owner();
    const emoji = (count: number) => Array.from({ length: count }, () => String.fromCodePoint(0x1f600 + Math.floor(Math.random() * 64))).join("");

    const tooLong = await importKeys(token, [{ key: emoji(300), name: "too long" }]);
    expect(tooLong.status).toBe(400);
    expect((await json(tooLong)).errors).toEqual({ "keys[0].key": ["key can be at most 512 characters, counted in UTF-16 code units as JavaScript counts them (an emoji is 2)."] });

    const longest = emoji(256);
    const imported = await importKeys(token, [{ key: longest, name: "longest" }]);
    expect(imported.status).toBe(201);
    // 7 UTF-16 units would end halfway through the fourth emoji: the prefix stops before it, at 3 (6 units)
    const prefix = longest.slice(0, 6);
    expect(((await json(imported)).data as Imported).keys[0]?.prefix).toBe(prefix);
    expect((await verify(token, longest)).code).toBe("VALID");
    expect((await listed(token)).map((key) => key.partial_key_data)).toEqual([`${prefix}…`]);
  });
});

describe("POST /api-keys/import: every failing item at once", () => {
  test("an empty name, an expiry in the past and the same key twice are one 400 naming keys[0].name, keys[1].expires_at and keys[3]; nothing is stored", async () => {
    const { token } = await owner();
    const twice = foreignKey();
    const response = await importKeys(token, [
      { key: foreignKey(), name: "" },
      { key: foreignKey(), name: "past", expires_at: new Date(Date.now() - HOUR).toISOString() },
      { key: twice, name: "first copy" },
      { key: twice, name: "second copy" },
    ]);
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.errors).toEqual({
      "keys[0].name": ["Name is required: give the key a name you will recognise."],
      "keys[1].expires_at": ["expires_at must be in the future."],
      "keys[3]": ["This is the same key as keys[2]: each key can be imported once."],
    });
    expect(body.message).toBe("No key was imported: 3 of 4 cannot be imported as given. keys[0].name: Name is required: give the key a name you will recognise.");
    expect(await listed(token)).toEqual([]);
  });

  test("an item the schema refuses is still checked for what its own key and expiry say: a nameless copy of an earlier key with a past expiry is a 400 naming its name, its expiry and the copy", async () => {
    const { token } = await owner();
    const twice = foreignKey();
    const response = await importKeys(token, [
      { key: twice, name: "first copy" },
      { key: twice, expires_at: new Date(Date.now() - HOUR).toISOString() },
    ]);
    expect(response.status).toBe(400);
    expect((await json(response)).errors).toEqual({
      "keys[1].name": ["Name is required."],
      "keys[1].expires_at": ["expires_at must be in the future."],
      "keys[1]": ["This is the same key as keys[0]: each key can be imported once."],
    });
  });
});

describe("POST /api-keys/import: JSON only", () => {
  test("form data (multipart and urlencoded) and text/csv are 415 saying this route takes JSON only; JSON labelled form-urlencoded (curl -d) imports", async () => {
    const { token } = await owner();
    const headers = (contentType: string) => ({ authorization: `Bearer ${token}`, "content-type": contentType });
    const JSON_ONLY = "This route takes JSON only: send the body as a JSON object, with Content-Type: application/json.";
    const multipart = '--x\r\nContent-Disposition: form-data; name="keys"\r\n\r\nx\r\n--x--\r\n';
    const refusals = [
      [multipart, "multipart/form-data; boundary=x", JSON_ONLY],
      ["keys=x", "application/x-www-form-urlencoded", JSON_ONLY],
      ["key,name\nsk_live_0123456789abcdef,csv\n", "text/csv", JSON_ONLY],
    ] as const;
    for (const [body, contentType, message] of refusals) {
      const response = await call("POST", "/api-keys/import", { body, headers: headers(contentType) });
      expect(response.status, contentType).toBe(415);
      expect((await json(response)).message).toBe(message);
    }
    const labelled = await call("POST", "/api-keys/import", { body: JSON.stringify({ keys: [{ key: foreignKey(), name: "curl -d" }] }), headers: headers("application/x-www-form-urlencoded") });
    expect(labelled.status).toBe(201);
  });
});

describe("POST /api-keys/import: each key's history", () => {
  test("each imported key's own history (GET /audit-log?key_id=…) holds its call's one key.imported event, with the count and the ids in the order given; a refused import (400, or 409 beside a fresh key) writes none", async () => {
    const { token } = await owner();
    const native = generateApiKey();
    const response = await importKeys(token, [
      { key: native, name: "native" },
      { key_hash: sha256Hex(foreignKey()), name: "by hash", scopes: ["keys:verify"] },
    ]);
    expect(response.status).toBe(201);
    const { keys } = (await json(response)).data as Imported;
    expect((await importKeys(token, [{ key: foreignKey(), name: "late", expires_at: new Date(Date.now() - HOUR).toISOString() }])).status).toBe(400);
    expect((await importKeys(token, [{ key: foreignKey(), name: "fresh" }, { key: native, name: "again" }])).status).toBe(409);

    const event = expect.objectContaining({
      event: "key.imported",
      actor: { type: "access_token", key_id: null },
      key_id: null,
      details: { count: 2, ids: keys.map((key) => String(key.id)) },
    });
    const history = async (id: number | undefined) => (await json(await call("GET", `/audit-log?key_id=${id}`, { headers: auth(token) }))).data;
    expect(await history(keys[0]?.id)).toEqual([event]);
    expect(await history(keys[1]?.id)).toEqual([event]);
    expect((await json(await call("GET", "/audit-log?event=key.imported", { headers: auth(token) }))).data).toEqual([event]);
  });
});
