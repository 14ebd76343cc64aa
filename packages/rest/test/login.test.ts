import { generateApiKey } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { MAX_BODY_BYTES } from "../src/index.ts";
import { call, json, newUser, tokenFor } from "./helpers.ts";

describe("POST /api/v1/login", () => {
  test("answers exactly the documented data with a JSON body", async () => {
    const { user, username, password } = await newUser();
    const response = await call("POST", "/login", { body: JSON.stringify({ username, password }), headers: { "content-type": "application/json" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await json(response);
    expect(body).toEqual({
      data: { id: user.id, name: user.name, email: user.email, is_staff: false, is_active: true, jwtToken: expect.stringMatching(/^[a-z2-9]{24}\.[a-z2-9]{24}$/) },
      message: "Login successful",
      status: "success",
    });
    expect(Object.keys(body.data as object)).toEqual(["id", "name", "email", "is_staff", "is_active", "jwtToken"]);
  });

  test("accepts form data, urlencoded and multipart, and the email as the username", async () => {
    const { user, username, password } = await newUser();
    const urlencoded = await call("POST", "/login", {
      body: new URLSearchParams({ username: `${username}@example.test`, password }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(await json(urlencoded)).toMatchObject({ data: { id: user.id }, status: "success" });

    const form = new FormData();
    form.set("username", username);
    form.set("password", password);
    const request = new Request("http://x", { method: "POST", body: form });
    const multipart = await call("POST", "/login", { body: await request.arrayBuffer(), headers: { "content-type": request.headers.get("content-type") ?? "" } });
    expect(await json(multipart)).toMatchObject({ data: { id: user.id }, status: "success" });
  });

  test("accepts JSON sent with curl's form content type and a trailing comma", async () => {
    const { username, password } = await newUser();
    const response = await call("POST", "/login", {
      body: `{\n    "username": "${username}",\n    "password": "${password}",\n}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
  });

  test("the token works as a Bearer token and is revoked by POST /logout", async () => {
    const { username, password } = await newUser();
    const token = await tokenFor(username, password);
    const logout = await call("POST", "/logout", { headers: { authorization: `Bearer ${token}` } });
    expect(await json(logout)).toEqual({ data: {}, message: "Logout successful", status: "success" });
    const again = await call("POST", "/logout", { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(401);
    expect(await json(again)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/revoked/) });
  });

  test.each([
    ["no body", undefined, "application/json", 400, /Username is required/],
    ["empty fields", JSON.stringify({ username: "", password: "" }), "application/json", 400, /Username is required/],
    ["a missing password", JSON.stringify({ username: "someone" }), "application/json", 400, /Password is required/],
    ["a number for a username", JSON.stringify({ username: 5, password: "x" }), "application/json", 400, /Username must be text/],
    ["an overlong username", JSON.stringify({ username: "u".repeat(255), password: "x" }), "application/json", 400, /at most 254/],
    ["an overlong password", JSON.stringify({ username: "u", password: "p".repeat(257) }), "application/json", 400, /at most 256/],
    ["malformed JSON", '{"username": "a", ', "application/json", 400, /JSON body is malformed/],
    ["a JSON array", "[1, 2]", "application/json", 400, /must be an object/],
    ["XML", "<login/>", "application/xml", 415, /send JSON or form data/],
  ])("refuses %s with the failed envelope", async (_, body, type, status, message) => {
    const before = await getDb().session.count();
    const response = await call("POST", "/login", { ...(body !== undefined ? { body } : {}), headers: { "content-type": type } });
    expect(response.status).toBe(status);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(message) });
    expect(await getDb().session.count()).toBe(before);
  });

  test("names each failing field in `errors`", async () => {
    const body = await json(await call("POST", "/login", { body: "{}", headers: { "content-type": "application/json" } }));
    expect(body.errors).toEqual({ username: [expect.stringMatching(/required/)], password: [expect.stringMatching(/required/)] });
  });

  test("refuses a body over the limit with 413", async () => {
    const response = await call("POST", "/login", { body: JSON.stringify({ username: "x".repeat(MAX_BODY_BYTES), password: "x" }), headers: { "content-type": "application/json" } });
    expect(response.status).toBe(413);
    expect(await json(response)).toMatchObject({ data: null, status: "failed" });
  });

  test("wrong username and wrong password get the same 401", async () => {
    const { username } = await newUser();
    const a = await call("POST", "/login", { body: JSON.stringify({ username, password: "wrong password" }) });
    const b = await call("POST", "/login", { body: JSON.stringify({ username: `${username}-x`, password: "wrong password" }) });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(await json(a)).toEqual(await json(b));
  });

  test("throttles repeated failures for one account from one address with 429 and Retry-After; another address still logs in", async () => {
    const { username, password } = await newUser();
    const clientAddress = "198.51.100.251";
    for (let i = 0; i < 5; i += 1) {
      expect((await call("POST", "/login", { body: JSON.stringify({ username, password: "wrong" }), clientAddress })).status).toBe(401);
    }
    const throttled = await call("POST", "/login", { body: JSON.stringify({ username, password }), clientAddress });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await json(throttled)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/Too many failed login attempts/) });
    expect((await call("POST", "/login", { body: JSON.stringify({ username, password }), clientAddress: "198.51.100.252" })).status).toBe(200);
  });
});

describe("routing and authentication errors", () => {
  test("an unknown path is 404 and a wrong method 405 with Allow", async () => {
    expect((await call("GET", "/nowhere")).status).toBe(404);
    const wrong = await call("GET", "/login");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(await json(wrong)).toMatchObject({ data: null, status: "failed", message: "GET is not allowed on /api/v1/login; use POST." });
  });

  test("a key in a path segment with bad percent-encoding, or percent-encoded itself, is cut to 7 characters in the message", async () => {
    const key = generateApiKey();
    const badEncoding = await json(await call("GET", `/api-keys/${key}%`));
    expect(badEncoding.message).toBe(`The path segment "${key.slice(0, 7)}…" is not valid percent-encoding.`);
    const encoded = await json(await call("GET", `/x/%61${key.slice(1)}`));
    expect(encoded.message).toBe(`There is no endpoint at /api/v1/x/%61k_${key.slice(3, 5)}….`);
  });

  test("404 and 405 messages quote the path with a key in it cut to the key's display prefix", async () => {
    const key = generateApiKey();
    const notFound = await call("GET", `/api-keys/verify/${key}`);
    expect(notFound.status).toBe(404);
    expect(await json(notFound)).toMatchObject({ message: `There is no endpoint at /api/v1/api-keys/verify/${key.slice(0, 7)}….` });
    const wrongMethod = await call("PUT", `/api-keys/${key}`);
    expect(wrongMethod.status).toBe(405);
    expect((await json(wrongMethod)).message).toBe(`PUT is not allowed on /api/v1/api-keys/${key.slice(0, 7)}…; use GET, HEAD, PATCH, DELETE.`);
  });

  test.each([
    ["no Authorization header", {}, /Authentication required/],
    ["a Bearer header with no value", { authorization: "Bearer " }, /no token or key/],
    ["a malformed token", { authorization: "Bearer garbage" }, /neither an access token nor an API key/],
    ["a malformed key", { authorization: "Bearer ak_123" }, /malformed/],
  ])("a protected route with %s is 401 with WWW-Authenticate", async (_, headers, message) => {
    const response = await call("POST", "/logout", { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(message) });
  });

  test("a cookie for a deleted user is 401", async () => {
    const { user, username, password } = await newUser();
    const { login } = await import("@keysmith/auth");
    const { SessionKind } = await import("@keysmith/db");
    const web = await login({ username, password }, SessionKind.WEB, { clientAddress: "203.0.113.1", now: new Date() });
    await getDb().user.delete({ where: { id: user.id } });
    const response = await call("POST", "/logout", { headers: { cookie: `keysmith_session=${web.token}` } });
    expect(response.status).toBe(401);
  });
});
