import { generateApiKey } from "@keysmith/auth";
import { describe, expect, test } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

const auth = (value: string) => ({ authorization: `Bearer ${value}`, "content-type": "application/json" });

async function setup() {
  const { username, password } = await newUser();
  return tokenFor(username, password);
}

async function create(token: string, body: object) {
  const response = await call("POST", "/api-keys", { body: JSON.stringify(body), headers: auth(token) });
  expect(response.status).toBe(201);
  return (await json(response)).data as { id: number; key: string };
}

async function verify(credential: string, key: string, extra: object = {}) {
  return call("POST", "/api-keys/verify", { body: JSON.stringify({ key, ...extra }), headers: auth(credential) });
}

describe("POST /api/v1/api-keys/verify", () => {
  test("answers 200 with the code and the key's facts", async () => {
    const token = await setup();
    const created = await create(token, { name: "checked", scopes: ["keys:read"] });
    const response = await verify(token, created.key);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      data: { valid: true, code: "VALID", id: created.id, name: "checked", owner_id: expect.any(Number), expires_at: null, scopes: ["keys:read"], remaining: null, retry_after_seconds: null },
      message: "API key is valid",
      status: "success",
    });
  });

  test.each([
    ["MALFORMED", () => "ak_nope"],
    ["MALFORMED", () => `ak_${"x".repeat(15 * 1024)}`],
    ["NOT_FOUND", () => generateApiKey()],
  ])("answers %s with 200 and valid false", async (code, make) => {
    const token = await setup();
    const response = await verify(token, make());
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ data: { valid: false, code }, status: "success", message: `API key is not valid: ${code}` });
  });

  test("INSUFFICIENT_SCOPE when the body asks for scopes the key lacks", async () => {
    const token = await setup();
    const created = await create(token, { name: "narrow", scopes: "keys:read" });
    expect(await json(await verify(token, created.key, { scopes: ["keys:write"] }))).toMatchObject({ data: { code: "INSUFFICIENT_SCOPE" } });
  });

  test("anonymous callers get 401, and a missing key field 400", async () => {
    const anonymous = await call("POST", "/api-keys/verify", { body: JSON.stringify({ key: generateApiKey() }) });
    expect(anonymous.status).toBe(401);
    const token = await setup();
    const missing = await call("POST", "/api-keys/verify", { body: "{}", headers: auth(token) });
    expect(missing.status).toBe(400);
    expect(await json(missing)).toMatchObject({ data: null, status: "failed", errors: { key: ["key is required."] } });
  });
});

describe("create with expiry and scopes", () => {
  test.each([
    [{ name: "x", expires_at: "tomorrow" }, /expires_at must be a date and time/],
    [{ name: "x", expires_at: "2001-01-01T00:00:00Z" }, /must be in the future/],
    [{ name: "x", scopes: ["root"] }, /Unknown scope/],
    [{ name: "x", scopes: [] }, /at least one scope/],
  ])("refuses %j with 400", async (body, message) => {
    const token = await setup();
    const response = await call("POST", "/api-keys", { body: JSON.stringify(body), headers: auth(token) });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(message) });
  });
});

describe("revoke and roll", () => {
  test("revoke: 200, the key answers 401 as a credential and REVOKED to verify", async () => {
    const token = await setup();
    const created = await create(token, { name: "revoke me" });
    const response = await call("POST", `/api-keys/${created.id}/revoke`, { headers: auth(token) });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ data: { id: created.id, revoked_at: expect.any(String) }, message: "API key successfully revoked", status: "success" });
    const used = await call("GET", "/api-keys", { headers: auth(created.key) });
    expect(used.status).toBe(401);
    expect(await json(used)).toMatchObject({ message: "The API key has been revoked." });
    expect(await json(await verify(token, created.key))).toMatchObject({ data: { code: "REVOKED" } });
  });

  test("roll with form data and grace: both keys work; roll without grace: only the new one", async () => {
    const token = await setup();
    const old = await create(token, { name: "rolled" });
    const graceful = await call("POST", `/api-keys/${old.id}/roll`, {
      body: "grace_seconds=600",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(graceful.status).toBe(201);
    const rolled = (await json(graceful)).data as { id: number; key: string; replaces: { id: number } };
    expect(rolled.replaces.id).toBe(old.id);
    expect((await call("GET", "/api-keys", { headers: auth(old.key) })).status).toBe(200);
    expect((await call("GET", "/api-keys", { headers: auth(rolled.key) })).status).toBe(200);

    const again = await call("POST", `/api-keys/${rolled.id}/roll`, { body: '{"grace_seconds": 0}', headers: auth(token) });
    const newest = (await json(again)).data as { key: string };
    expect((await call("GET", "/api-keys", { headers: auth(rolled.key) })).status).toBe(401);
    expect((await call("GET", "/api-keys", { headers: auth(newest.key) })).status).toBe(200);
  });

  test.each([
    ["revoke", "abc", 400],
    ["revoke", "999999999", 404],
    ["roll", "abc", 400],
    ["roll", "999999999", 404],
  ])("%s with id %s is %i", async (action, id, status) => {
    const token = await setup();
    const response = await call("POST", `/api-keys/${id}/${action}`, { body: "{}", headers: auth(token) });
    expect(response.status).toBe(status);
    expect(await json(response)).toMatchObject({ data: null, status: "failed" });
  });

  test("roll refuses a bad grace period with 400", async () => {
    const token = await setup();
    const old = await create(token, { name: "r" });
    const response = await call("POST", `/api-keys/${old.id}/roll`, { body: '{"grace_seconds": "soon"}', headers: auth(token) });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ errors: { grace_seconds: [expect.stringMatching(/whole number of seconds/)] } });
  });
});

describe("scopes on every REST route", () => {
  const routes: [string, string, (id: number) => string, string][] = [
    ["GET", "list", () => "/api-keys", "keys:read"],
    ["POST", "create", () => "/api-keys", "keys:write"],
    ["DELETE", "delete", (id) => `/api-keys/${id}`, "keys:write"],
    ["POST", "revoke", (id) => `/api-keys/${id}/revoke`, "keys:write"],
    ["POST", "roll", (id) => `/api-keys/${id}/roll`, "keys:write"],
    ["POST", "verify", () => "/api-keys/verify", "keys:verify"],
  ];

  test.each(["keys:read", "keys:write", "keys:verify"])("a key with only %s is allowed exactly the routes that need it", async (scope) => {
    const token = await setup();
    const limited = await create(token, { name: "limited", scopes: [scope] });
    for (const [method, name, path, needs] of routes) {
      // within the key's own scopes: a key may not roll a stronger key (see "minting bounds")
      const target = await create(token, { name: `target for ${name}`, scopes: [scope] });
      const body = name === "verify" ? JSON.stringify({ key: target.key }) : name === "create" ? '{"name":"child","scopes":["' + scope + '"]}' : "{}";
      const response = await call(method, path(target.id), { body: method === "GET" || method === "DELETE" ? undefined : body, headers: auth(limited.key) });
      if (needs === scope) {
        expect(response.status, `${name} with ${scope}`).toBeLessThan(300);
      } else {
        expect(response.status, `${name} with ${scope}`).toBe(403);
        expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringContaining(`"${needs}"`) });
      }
    }
  });

  test("an access token may call every route", async () => {
    const token = await setup();
    const target = await create(token, { name: "t" });
    expect((await call("GET", "/api-keys", { headers: auth(token) })).status).toBe(200);
    expect((await verify(token, target.key)).status).toBe(200);
    expect((await call("POST", `/api-keys/${target.id}/revoke`, { headers: auth(token) })).status).toBe(200);
  });
});

describe("minting bounds on REST", () => {
  test("a keys:write key rolling a full-scope key is 403 naming the scopes; the target still works", async () => {
    const token = await setup();
    const writer = await create(token, { name: "writer", scopes: ["keys:write"] });
    const full = await create(token, { name: "full" });
    const response = await call("POST", `/api-keys/${full.id}/roll`, { body: '{"grace_seconds": 0}', headers: auth(writer.key) });
    expect(response.status).toBe(403);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", errors: { scopes: [expect.stringMatching(/keys:read, keys:verify/)] } });
    expect(await json(await verify(token, full.key))).toMatchObject({ data: { code: "VALID" } });
  });

  test("a key with an expiry and a limit cannot create a key without them: 403 naming both fields", async () => {
    const token = await setup();
    const parent = await create(token, { name: "parent", expires_at: new Date(Date.now() + 3_600_000).toISOString(), rate_limit_per_minute: 5 });
    const response = await call("POST", "/api-keys", { body: '{"name": "child"}', headers: auth(parent.key) });
    expect(response.status).toBe(403);
    expect(Object.keys((await json(response)).errors ?? {}).sort()).toEqual(["expires_at", "rate_limit_per_minute"]);
  });
});

describe("bodies over 16 KiB", () => {
  test("verify refuses one with 413, as the document says; read to its end, it leaves the connection open", async () => {
    const token = await setup();
    const response = await call("POST", "/api-keys/verify", { body: JSON.stringify({ key: `ak_${"x".repeat(16 * 1024)}` }), headers: auth(token) });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBeNull();
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/larger than 16 KiB/) });
  });
});

describe("per-key rate limits", () => {
  test("a key over its limit gets 429 with Retry-After and the failed envelope", async () => {
    // three requests must fall in one clock minute
    if (Date.now() % 60_000 > 57_000) await new Promise((resolve) => setTimeout(resolve, 3_500));
    const token = await setup();
    const limited = await create(token, { name: "limited", rate_limit_per_minute: "2" });
    expect((await call("GET", "/api-keys", { headers: auth(limited.key) })).status).toBe(200);
    expect((await call("GET", "/api-keys", { headers: auth(limited.key) })).status).toBe(200);
    const over = await call("GET", "/api-keys", { headers: auth(limited.key) });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await json(over)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/over its limit of 2 requests a minute/) });
    // verify reports it as a code, with 200
    expect(await json(await verify(token, limited.key))).toMatchObject({ data: { valid: false, code: "RATE_LIMITED" } });
  });
});
