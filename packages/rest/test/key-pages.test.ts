import { describe, expect, test } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

async function owner() {
  const { username, password } = await newUser();
  const token = await tokenFor(username, password);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const create = async (body: object) => (await json(await call("POST", "/api-keys", { body: JSON.stringify(body), headers }))).data as { id: number; key: string };
  return { headers, create };
}

/** The target of a `Link: <…>; rel="next"` header, relative to /api/v1. */
function nextOf(response: Response): string | null {
  const link = response.headers.get("link");
  if (!link) return null;
  const match = /^<\/api\/v1([^>]+)>; rel="next"$/.exec(link);
  if (!match) throw new Error(`not a next link: ${link}`);
  return match[1] ?? null;
}

describe("GET /api-keys with query parameters", () => {
  test("without parameters every key is listed in the documented shape and no Link header is sent", async () => {
    const { headers, create } = await owner();
    for (let i = 0; i < 30; i += 1) await create({ name: `k${i}` });
    const response = await call("GET", "/api-keys", { headers });
    const body = await json(response);
    expect(body.data).toHaveLength(30);
    expect(Object.keys((body.data as object[])[0] ?? {})).toEqual(["id", "name", "description", "partial_key_data"]);
    expect(response.headers.get("link")).toBeNull();
  });

  test("limit pages the list and Link rel=next, followed to the end, yields every matching key once, keeping search and sort", async () => {
    const { headers, create } = await owner();
    for (let i = 0; i < 7; i += 1) await create({ name: i < 5 ? `match ${i}` : `other ${i}` });
    const seen: string[] = [];
    let path: string | null = "/api-keys?search=match&sort=oldest&limit=2";
    let pages = 0;
    while (path) {
      const response = await call("GET", path, { headers });
      expect(response.status).toBe(200);
      seen.push(...((await json(response)).data as { name: string }[]).map((key) => key.name));
      path = nextOf(response);
      if (path) expect(path).toMatch(/search=match&sort=oldest&limit=2&cursor=/);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(["match 0", "match 1", "match 2", "match 3", "match 4"]);
  });

  test("status=revoked lists only revoked keys", async () => {
    const { headers, create } = await owner();
    const revoked = await create({ name: "revoked" });
    await create({ name: "live" });
    await call("POST", `/api-keys/${revoked.id}/revoke`, { headers });
    expect((await json(await call("GET", "/api-keys?status=revoked", { headers }))).data).toEqual([expect.objectContaining({ id: revoked.id })]);
  });

  test.each([
    ["limit=0", "limit", /limit must be a whole number from 1 to 100/],
    ["limit=abc", "limit", /limit must be a whole number/],
    ["status=lost", "status", /status must be one of active, expiring, rolling, expired, revoked/],
    ["sort=name", "sort", /sort must be one of newest, oldest, last_used/],
    ["cursor=nonsense", "cursor", /cursor is not one this list gave out: pass the cursor of the page before \(in REST's Link header/],
  ])("?%s is a 400 naming %s", async (query, field, message) => {
    const { headers } = await owner();
    const response = await call("GET", `/api-keys?${query}`, { headers });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.errors?.[field]?.[0]).toMatch(message);
  });
});

describe("GET and PATCH /api-keys/{id}", () => {
  test("GET shows one key in snake_case with its status and no value", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "one", scopes: ["keys:verify"], rate_limit_per_minute: 60 });
    const body = await json(await call("GET", `/api-keys/${key.id}`, { headers }));
    expect(body).toMatchObject({
      message: "API key successfully retrieved",
      data: { id: key.id, name: "one", partial_key_data: `${key.key.slice(0, 7)}…`, scopes: ["keys:verify"], rate_limit_per_minute: 60, status: "active", replaces_id: null },
    });
    expect(JSON.stringify(body)).not.toContain(key.key.slice(7));
  });

  test("PATCH changes the fields given and answers the key; a wider scope is 403 on scopes; an empty body is 400", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "before", scopes: ["keys:read", "keys:verify"] });
    const patched = await call("PATCH", `/api-keys/${key.id}`, { headers, body: JSON.stringify({ name: "after", scopes: ["keys:verify"], rate_limit_per_minute: 10 }) });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ message: "API key successfully updated", data: { name: "after", scopes: ["keys:verify"], rate_limit_per_minute: 10 } });

    const wider = await call("PATCH", `/api-keys/${key.id}`, { headers, body: JSON.stringify({ scopes: ["keys:write"] }) });
    expect(wider.status).toBe(403);
    expect((await json(wider)).errors?.scopes?.[0]).toMatch(/only be narrowed/);
    const empty = await call("PATCH", `/api-keys/${key.id}`, { headers, body: "{}" });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toMatch(/at least one field/);
  });

  test("PATCH through the key itself works as an API key caller; the verify route sees the narrowed scope at once", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "self", scopes: ["keys:write", "keys:verify"] });
    const asKey = { authorization: `Bearer ${key.key}`, "content-type": "application/json" };
    expect((await call("PATCH", `/api-keys/${key.id}`, { headers: asKey, body: JSON.stringify({ scopes: ["keys:verify"] }) })).status).toBe(200);
    const verified = await json(await call("POST", "/api-keys/verify", { headers, body: JSON.stringify({ key: key.key, scopes: ["keys:write"] }) }));
    expect(verified.data).toMatchObject({ valid: false, code: "INSUFFICIENT_SCOPE" });
  });

  test("a warm key's VALID answer is the same body on each repeat, and names the new name once PATCH has renamed the key", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "before", scopes: ["keys:verify"] });
    const verify = async () => (await call("POST", "/api-keys/verify", { headers, body: JSON.stringify({ key: key.key }) })).text();
    await verify();
    const repeated = [await verify(), await verify()];
    expect(repeated[1]).toBe(repeated[0]);
    expect(JSON.parse(repeated[0] ?? "")).toMatchObject({ data: { code: "VALID", name: "before" }, message: "API key is valid", status: "success" });

    expect((await call("PATCH", `/api-keys/${key.id}`, { headers, body: JSON.stringify({ name: "after" }) })).status).toBe(200);
    expect(JSON.parse(await verify())).toMatchObject({ data: { code: "VALID", name: "after" } });
  });

  test("GET on /api-keys/verify is a 405 allowing POST, not an id error", async () => {
    const { headers } = await owner();
    const response = await call("GET", "/api-keys/verify", { headers });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("the OpenAPI document's error examples for the list and PATCH", () => {
  test("are the messages the routes answer when provoked (ids aside)", async () => {
    const document = (await (await call("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content: { "application/json": { example?: { message: string } } } }> }>>;
    };
    const example = (path: string, method: string, status: number) =>
      document.paths[path]?.[method]?.responses[String(status)]?.content["application/json"].example?.message.replace(/\d+/g, "N");
    const { headers, create } = await owner();
    const key = await create({ name: "k", scopes: ["keys:read"] });
    const answer = async (method: string, path: string, body?: object) =>
      (await json(await call(method, path, { headers, ...(body ? { body: JSON.stringify(body) } : {}) }))).message.replace(/\d+/g, "N");
    const patch = (body: object) => answer("PATCH", `/api-keys/${key.id}`, body);

    expect(await answer("GET", "/api-keys?limit=0")).toBe(example("/api/v1/api-keys", "get", 400));
    expect(await patch({ expires_at: "2001-01-01T00:00:00Z" })).toBe(example("/api/v1/api-keys/{id}", "patch", 400));
    expect(await patch({ scopes: ["keys:write"] })).toBe(example("/api/v1/api-keys/{id}", "patch", 403));
    expect(await answer("PATCH", "/api-keys/999999999", { name: "x" })).toBe(example("/api/v1/api-keys/{id}", "patch", 404));
    await call("POST", `/api-keys/${key.id}/revoke`, { headers });
    expect(await patch({ rate_limit_per_minute: 5 })).toBe(example("/api/v1/api-keys/{id}", "patch", 409));
  });
});
