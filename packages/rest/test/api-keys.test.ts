import { execFile } from "node:child_process";
import { inspect, promisify } from "node:util";
import { gzipSync } from "node:zlib";

import { generateApiKey } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { z } from "zod";

import { createRestHandler, MAX_BODY_BYTES } from "../src/index.ts";
import { call, json, newUser, tokenFor } from "./helpers.ts";
import { serveRest } from "./serve.ts";

const run = promisify(execFile);

async function loggedIn() {
  const { user, username, password } = await newUser();
  return { user, token: await tokenFor(username, password) };
}

const auth = (value: string) => ({ authorization: `Bearer ${value}` });

async function createKey(token: string, body: object = { name: "k" }) {
  const response = await call("POST", "/api-keys", { body: JSON.stringify(body), headers: { ...auth(token), "content-type": "application/json" } });
  return (await json(response)).data as { id: number; key: string; name: string; description: string | null };
}

describe("the documented curl example, pasted as it is", () => {
  let server: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    server = await serveRest();
  });
  afterAll(async () => {
    await server.close();
  });

  // Verbatim from the documented Create API Key example (README, "REST API"): JSON sent with -d (so
  // curl says application/x-www-form-urlencoded) and a trailing comma.
  const DOCUMENTED = `curl -X POST '{API_URL}/api-keys' \\
-H 'Authorization: Bearer {TOKEN/KEY}' \\
-d '{
    "name": "test-api-key",
    "description": "This is a test API key",
}'`;

  test.each(["token", "key"])("creates a key with a %s", async (kind) => {
    const { token } = await loggedIn();
    const credential = kind === "token" ? token : (await createKey(token)).key;
    const command = DOCUMENTED.replace("{API_URL}", `${server.url}/api/v1`).replace("{TOKEN/KEY}", credential);
    const { stdout } = await run("bash", ["-c", `${command} --silent --show-error --write-out '\\n%{http_code}'`]);
    // --write-out puts the status on a line of its own after the body
    const cut = stdout.lastIndexOf("\n");
    const [body, status] = [stdout.slice(0, cut), stdout.slice(cut + 1)];
    expect(status).toBe("201");
    expect(JSON.parse(body)).toEqual({
      data: { id: expect.any(Number), key: expect.stringMatching(/^ak_[A-Za-z0-9_-]{43}$/), name: "test-api-key", description: "This is a test API key" },
      message: "API key successfully created",
      status: "success",
    });
  });
});

describe("POST /api/v1/api-keys", () => {
  test("answers the documented data, with form data too, and no description as null", async () => {
    const { token } = await loggedIn();
    const response = await call("POST", "/api-keys", {
      body: new URLSearchParams({ name: "from a form" }).toString(),
      headers: { ...auth(token), "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(body).toEqual({
      data: { id: expect.any(Number), key: expect.stringMatching(/^ak_/), name: "from a form", description: null },
      message: "API key successfully created",
      status: "success",
    });
    expect(Object.keys(body.data as object)).toEqual(["id", "key", "name", "description"]);
  });

  test.each([
    ["no body", undefined, "application/json", 400, /Name is required/],
    ["an empty name", '{"name": ""}', "application/json", 400, /Name is required/],
    ["a numeric name", '{"name": 7}', "application/json", 400, /Name must be text/],
    ["an overlong name", JSON.stringify({ name: "n".repeat(65) }), "application/json", 400, /at most 64/],
    ["an overlong description", JSON.stringify({ name: "n", description: "d".repeat(501) }), "application/json", 400, /at most 500/],
    ["malformed JSON", '{"name": "x"', "application/x-www-form-urlencoded", 400, /JSON body is malformed/],
    ["a JSON string", '"just a string"', "application/json", 400, /labelled JSON but is not a JSON object/],
    ["plain text", "name=x", "text/plain", 415, /send JSON or form data/],
  ])("refuses %s with the failed envelope and creates nothing", async (_, body, type, status, message) => {
    const { user, token } = await loggedIn();
    const response = await call("POST", "/api-keys", { ...(body !== undefined ? { body } : {}), headers: { ...auth(token), "content-type": type } });
    expect(response.status).toBe(status);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(message) });
    expect(await getDb().apiKey.count({ where: { userId: user.id } })).toBe(0);
  });

  test("a body over 16 KiB on a route that takes none (revoke, delete) is 413, and the key is left as it was", async () => {
    const { token } = await loggedIn();
    const key = await createKey(token);
    const big = "x".repeat(MAX_BODY_BYTES + 1);
    for (const [method, path] of [["POST", `/api-keys/${key.id}/revoke`], ["DELETE", `/api-keys/${key.id}`]] as const) {
      const response = await call(method, path, { body: big, headers: { ...auth(token), "content-type": "text/plain" } });
      expect(response.status).toBe(413);
    }
    expect(await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({ revokedAt: null });
  });

  test("a gzip-encoded body is 415 saying to send it uncompressed, and creates nothing", async () => {
    const { user, token } = await loggedIn();
    const body = new Uint8Array(gzipSync(JSON.stringify({ name: "zipped" }))).buffer;
    const response = await call("POST", "/api-keys", { body, headers: { ...auth(token), "content-type": "application/json", "content-encoding": "gzip" } });
    expect(response.status).toBe(415);
    expect((await json(response)).message).toBe('A body with Content-Encoding "gzip" is not accepted: send it uncompressed.');
    expect(await getDb().apiKey.count({ where: { userId: user.id } })).toBe(0);
  });

  test("a key pasted into Content-Encoding, or into the Content-Type of a create, is quoted back in the 415 cut to its first 7 characters; one in an import's Content-Type is not quoted", async () => {
    const { token } = await loggedIn();
    const key = generateApiKey();
    const encoded = await call("POST", "/api-keys", { body: '{"name":"k"}', headers: { ...auth(token), "content-type": "application/json", "content-encoding": key } });
    expect(encoded.status).toBe(415);
    expect((await json(encoded)).message).toBe(`A body with Content-Encoding "${key.slice(0, 7)}…" is not accepted: send it uncompressed.`);
    const created = await call("POST", "/api-keys", { body: "name=x", headers: { ...auth(token), "content-type": key } });
    expect(created.status).toBe(415);
    expect((await json(created)).message).toBe(`A body of type "${key.toLowerCase().slice(0, 7)}…" is not accepted: send JSON or form data (application/x-www-form-urlencoded or multipart/form-data).`);
    const typed = await call("POST", "/api-keys/import", { body: "keys=x", headers: { ...auth(token), "content-type": `text/${key}` } });
    expect(typed.status).toBe(415);
    expect((await json(typed)).message).not.toContain(key.slice(0, 20));
  });

  test("names the failing fields", async () => {
    const { token } = await loggedIn();
    const response = await call("POST", "/api-keys", { body: JSON.stringify({ description: 5 }), headers: auth(token) });
    expect((await json(response)).errors).toEqual({ name: ["Name is required."], description: ["Description must be text."] });
  });

  test("refuses a body over the limit with 413", async () => {
    const { token } = await loggedIn();
    const response = await call("POST", "/api-keys", { body: JSON.stringify({ name: "x", description: "d".repeat(MAX_BODY_BYTES) }), headers: auth(token) });
    expect(response.status).toBe(413);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/larger than 16 KiB/) });
  });

  test("a body that is not UTF-8 is 400 saying so; a JSON body after a byte-order mark is read as JSON (201 with its name)", async () => {
    const { token } = await loggedIn();
    const notUtf8 = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).buffer;
    const refused = await call("POST", "/api-keys", { body: notUtf8, headers: { ...auth(token), "content-type": "application/json" } });
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({ data: null, message: "The request body is not valid UTF-8 text." });
    const withBom = await call("POST", "/api-keys", { body: '\ufeff{"name": "after a BOM"}', headers: { ...auth(token), "content-type": "application/json" } });
    expect(withBom.status).toBe(201);
    expect(await json(withBom)).toMatchObject({ data: { name: "after a BOM" } });
  });

  test("refuses anonymous callers with 401", async () => {
    const response = await call("POST", "/api-keys", { body: '{"name":"x"}' });
    expect(response.status).toBe(401);
  });
});

describe("GET /api/v1/api-keys", () => {
  test("lists the caller's keys newest first with a non-secret partial key", async () => {
    const { token } = await loggedIn();
    const first = await createKey(token, { name: "first", description: "one" });
    const second = await createKey(token, { name: "second" });
    const response = await call("GET", "/api-keys", { headers: auth(token) });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      data: [
        { id: second.id, name: "second", description: null, partial_key_data: `${second.key.slice(0, 7)}…` },
        { id: first.id, name: "first", description: "one", partial_key_data: `${first.key.slice(0, 7)}…` },
      ],
      message: "API keys successfully retrieved",
      status: "success",
    });
  });

  test("an empty list is an empty array", async () => {
    const { token } = await loggedIn();
    expect(await json(await call("GET", "/api-keys", { headers: auth(token) }))).toEqual({ data: [], message: "API keys successfully retrieved", status: "success" });
  });

  test("works with an API key as the credential", async () => {
    const { token } = await loggedIn();
    const created = await createKey(token, { name: "automation" });
    const body = await json(await call("GET", "/api-keys", { headers: auth(created.key) }));
    expect(body).toMatchObject({ status: "success", data: [{ id: created.id }] });
  });
});

describe("DELETE /api/v1/api-keys/{id}", () => {
  test("answers data {} and the key stops authenticating at once", async () => {
    const { token } = await loggedIn();
    const created = await createKey(token);
    const response = await call("DELETE", `/api-keys/${created.id}`, { headers: auth(token) });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ data: {}, message: "API key successfully deleted", status: "success" });
    const after = await call("GET", "/api-keys", { headers: auth(created.key) });
    expect(after.status).toBe(401);
  });

  test.each(["abc", "1.5", "-3", "0", "1e3", "99999999999"])("a non-integer or impossible id %j is 400", async (id) => {
    const { token } = await loggedIn();
    const response = await call("DELETE", `/api-keys/${id}`, { headers: auth(token) });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/key id/) });
  });

  test("an unknown id is 404, and another user's key answers exactly the same", async () => {
    const alice = await loggedIn();
    const bob = await loggedIn();
    const alicesKey = await createKey(alice.token);
    const [foreign, missing] = await Promise.all([
      call("DELETE", `/api-keys/${alicesKey.id}`, { headers: auth(bob.token) }),
      call("DELETE", "/api-keys/2000000000", { headers: auth(bob.token) }),
    ]);
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    const [a, b] = [await json(foreign), await json(missing)];
    expect(a.message.replace(String(alicesKey.id), "N")).toBe(b.message.replace("2000000000", "N"));
    // and Alice's key is untouched
    expect((await call("GET", "/api-keys", { headers: auth(alicesKey.key) })).status).toBe(200);
  });

  test("the wrong method on a key is 405 with Allow, which lists HEAD after GET", async () => {
    const { token } = await loggedIn();
    const response = await call("PUT", "/api-keys/1", { headers: auth(token) });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE");
  });

  test("HEAD on a GET route answers GET's status and headers without a body", async () => {
    const { token } = await loggedIn();
    const headersOf = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name !== "date" && name !== "x-request-id"));
    for (const [path, headers] of [["/api-keys", auth(token)], ["/openapi.json", {}], ["/api-keys", {}]] as const) {
      const get = await call("GET", path, { headers });
      const head = await call("HEAD", path, { headers });
      expect(head.status).toBe(get.status);
      expect(headersOf(head)).toEqual(headersOf(get));
      expect(await head.text()).toBe("");
    }
  });
});

describe("secrets stay secret", () => {
  test("after creation no response, error or log line contains the key", async () => {
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      }),
    );
    try {
      const { token } = await loggedIn();
      const created = await createKey(token, { name: "secret" });
      const secretPart = created.key.slice(7);
      const responses = await Promise.all([
        call("GET", "/api-keys", { headers: auth(token) }),
        call("GET", "/api-keys", { headers: auth(created.key) }),
        call("POST", "/api-keys", { body: "{bad json", headers: auth(created.key) }),
        call("DELETE", "/api-keys/nope", { headers: auth(created.key) }),
        call("GET", "/api-keys", { headers: auth(`${created.key}x`) }),
        call("GET", "/nowhere", { headers: auth(created.key) }),
        call("DELETE", `/api-keys/${created.id}`, { headers: auth(created.key) }),
        call("GET", "/api-keys", { headers: auth(created.key) }),
      ]);
      for (const response of responses) {
        const text = await response.text();
        expect(text).not.toContain(secretPart);
        for (const value of response.headers.values()) expect(value).not.toContain(secretPart);
      }
      expect(logged.join("\n")).not.toContain(secretPart);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  test("an unexpected failure is a 500 envelope without its text or stack, logged without the body or what the error carries of it", async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      // as the console would print them: an error object shows the properties it carries
      errors.push(args.map((arg) => (typeof arg === "string" ? arg : inspect(arg, { depth: 5 }))).join(" "));
    });
    try {
      const handler = createRestHandler({
        routes: [
          {
            method: "POST",
            path: "/boom",
            auth: false,
            doc: { summary: "fails", body: z.object({ password: z.string() }), data: z.object({}), status: 200, message: "never", errors: [] },
            // libraries attach what they were given to their errors (Prisma's arguments, a parser's input)
            handle: async ({ request }) => Promise.reject(Object.assign(new Error("kaput"), { body: new TextDecoder().decode(await request.bytes(1024)), meta: { args: ["hunter2"] } })),
          },
        ],
      });
      const response = await handler(new Request("http://localhost/api/v1/boom", { method: "POST", body: '{"password":"hunter2"}' }), { clientAddress: "203.0.113.7" });
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({ data: null, message: expect.stringMatching(/went wrong on our side/), status: "failed" });
      expect(body).not.toMatch(/kaput|at .*\.ts/);
      expect(errors.join("\n")).toContain("kaput");
      expect(errors.join("\n")).toContain("POST /api/v1/boom");
      expect(errors.join("\n")).not.toContain("hunter2");
    } finally {
      spy.mockRestore();
    }
  });
});

describe("instants beyond what can be stored are bad input, not a server error", () => {
  const jsonAuth = (token: string) => ({ ...auth(token), "content-type": "application/json" });

  test("an expires_at in the year 10000 once in UTC is 400 naming expires_at, on create, update and import", async () => {
    const { token } = await loggedIn();
    const key = await createKey(token);
    const late = "9999-12-31T23:59:59-14:00";
    const answers = [
      await call("POST", "/api-keys", { body: JSON.stringify({ name: "late", expires_at: late }), headers: jsonAuth(token) }),
      await call("PATCH", `/api-keys/${key.id}`, { body: JSON.stringify({ expires_at: late }), headers: jsonAuth(token) }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect((await json(answer)).errors?.expires_at).toEqual(["expires_at must be no later than 9999-12-31T23:59:59Z."]);
    }
    const imported = await call("POST", "/api-keys/import", { body: JSON.stringify({ keys: [{ name: "late", key: "ak_not_checked_here_000000000000", expires_at: late }] }), headers: jsonAuth(token) });
    expect(imported.status).toBe(400);
    expect(JSON.stringify(await json(imported))).toContain("expires_at must be no later than 9999-12-31T23:59:59Z.");
  });

  test("usage from and to in the year 0 are 400 naming from and to", async () => {
    const { token } = await loggedIn();
    const key = await createKey(token);
    for (const path of [`/api-keys/${key.id}/usage`, "/usage"]) {
      const answer = await call("GET", `${path}?from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z`, { headers: auth(token) });
      expect(answer.status).toBe(400);
      expect((await json(answer)).errors).toEqual({ from: ["from must be no earlier than 1970-01-01T00:00:00Z."], to: ["to must be no earlier than 1970-01-01T00:00:00Z."] });
    }
  });

  test("a list cursor whose time is in the year 0 is 400 naming cursor", async () => {
    const { token } = await loggedIn();
    await createKey(token);
    for (const sort of ["newest", "last_used"]) {
      const cursor = Buffer.from(JSON.stringify({ sort, at: "0000-01-01T00:00:00Z", id: 5 })).toString("base64url");
      const answer = await call("GET", `/api-keys?sort=${sort}&cursor=${cursor}`, { headers: auth(token) });
      expect(answer.status).toBe(400);
      expect(Object.keys((await json(answer)).errors ?? {})).toEqual(["cursor"]);
    }
  });
});

describe("verify's scopes and cost, as form data and as text", () => {
  const form = (token: string, fields: Record<string, string>) =>
    call("POST", "/api-keys/verify", { body: new URLSearchParams(fields).toString(), headers: { ...auth(token), "content-type": "application/x-www-form-urlencoded" } });

  test("form data's scopes (comma- or space-separated) and cost are read as create reads them: keys:read passes, keys:write is INSUFFICIENT_SCOPE, cost 0 spends nothing", async () => {
    const { token } = await loggedIn();
    const key = await createKey(token, { name: "reader", scopes: ["keys:read"], remaining: 5 });
    const data = async (fields: Record<string, string>) => (await json(await form(token, { key: key.key, ...fields }))).data as { code: string; remaining: number | null };
    expect(await data({ scopes: "keys:read", cost: "0" })).toMatchObject({ code: "VALID", remaining: 5 });
    expect(await data({ scopes: "keys:read keys:write" })).toMatchObject({ code: "INSUFFICIENT_SCOPE" });
    expect(await data({ scopes: "keys:read,keys:write" })).toMatchObject({ code: "INSUFFICIENT_SCOPE" });
  });

  test("JSON scopes as one string is read as a list; as a number it is 400 naming scopes in a sentence", async () => {
    const { token } = await loggedIn();
    const key = await createKey(token, { name: "reader", scopes: ["keys:read"] });
    const verify = (scopes: unknown) => call("POST", "/api-keys/verify", { body: JSON.stringify({ key: key.key, scopes }), headers: { ...auth(token), "content-type": "application/json" } });
    expect((await json(await verify("keys:read"))).data).toMatchObject({ code: "VALID" });
    const refused = await verify(5);
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual({ scopes: ['scopes must be a list, like ["keys:read"].'] });
  });
});
