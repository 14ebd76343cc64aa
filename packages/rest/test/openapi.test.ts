import { randomBytes } from "node:crypto";

import { getDb } from "@keysmith/db";
import { ZFailedEnvelope, ZSuccessEnvelope } from "@keysmith/validators";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, test } from "vitest";

import { documentedErrors, routes } from "../src/index.ts";
import { type Route } from "../src/route.ts";
import { call, githubSignatureHeaders, json, newUser, tokenFor } from "./helpers.ts";

type Document = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

async function fetchDocument(): Promise<Document> {
  const response = await call("GET", "/openapi.json");
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
}

const pathOf = (route: Route) => `/api/v1${route.path.replace(/:(\w+)/g, "{$1}")}`;

describe("GET /api/v1/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe("3.1.0");
    expect(await new Validator().validate(document as never)).toEqual({ valid: true });
  });

  test("is sent with Cache-Control: no-store, as every other answer", async () => {
    expect((await call("GET", "/openapi.json")).headers.get("cache-control")).toBe("no-store");
  });

  test("lists exactly the routes the REST handler serves", async () => {
    const document = await fetchDocument();
    const served = routes.map((route) => `${route.method} ${pathOf(route)}`).sort();
    const described = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(described).toEqual(served);
  });

  test("every documented example matches its route's schemas", () => {
    let checked = 0;
    for (const { doc } of routes) {
      if (doc.responseExample !== undefined) {
        expect((doc.raw ? doc.data : ZSuccessEnvelope(doc.data)).safeParse(doc.responseExample).success, doc.summary).toBe(true);
        checked += 1;
      }
      if (doc.requestExample !== undefined && doc.body) {
        expect(doc.body.safeParse(doc.requestExample).success, doc.summary).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test("describes the failed envelope for each error status", async () => {
    const document = await fetchDocument();
    for (const route of routes) {
      const responses = document.paths[pathOf(route)]?.[route.method.toLowerCase()]?.responses ?? {};
      for (const status of documentedErrors(route)) {
        expect(JSON.stringify(responses[String(status)]), `${route.method} ${route.path} ${status}`).toContain("#/components/schemas/FailedEnvelope");
      }
    }
  });
});

/** Makes `route` answer `status`, for real. Unknown pairs fail the test: every described status needs a way here. */
async function provoke(route: Route, status: number): Promise<Response> {
  const { user, username, password } = await newUser();
  const token = await tokenFor(username, password);
  const bearer = (value: string) => ({ authorization: `Bearer ${value}`, "content-type": "application/json" });
  const keyWith = async (body: object) =>
    ((await json(await call("POST", "/api-keys", { body: JSON.stringify(body), headers: bearer(token) }))).data as { id: number; key: string });
  const target = await keyWith({ name: "target" });
  const path = route.path.replace(":id", String(target.id));
  const withBody = (body: string, headers: Record<string, string>) => call(route.method, path, { ...(route.method === "GET" || route.method === "DELETE" ? {} : { body }), headers });
  const validBody =
    route.path === "/login"
      ? JSON.stringify({ username, password })
      : route.path.endsWith("/verify")
        ? JSON.stringify({ key: target.key })
        : route.path === "/api-keys/import"
          ? JSON.stringify({ keys: [{ key: `acme_${randomBytes(24).toString("base64url")}`, name: "imported" }] })
          : // an update that changes what the key may do (a revoked key refuses that with 409)
          '{"name":"n","grace_seconds":0,"rate_limit_per_minute":5}';

  if (route.path === "/secret-scanning/github") {
    const body = status === 413 ? "[" + " ".repeat(route.doc.maxBodyBytes ?? 0) + "]" : "[]";
    return call("POST", path, { body, headers: status === 401 ? {} : githubSignatureHeaders(body) });
  }
  switch (status) {
    case 400:
      if (route.path === "/logout") return call("POST", path, { headers: bearer(target.key) });
      if (route.path.includes(":id")) return call(route.method, route.path.replace(":id", "abc"), { ...(route.method === "POST" ? { body: "{}" } : {}), headers: bearer(token) });
      if (route.method === "GET" && ["/api-keys", "/audit-log", "/usage"].includes(route.path)) return call("GET", `${route.path}?limit=0&interval=week`, { headers: bearer(token) });
      return withBody(route.path === "/api-keys/verify" ? "{}" : '{"name": ""}', route.auth ? bearer(token) : {});
    case 401:
      if (!route.auth) return withBody(JSON.stringify({ username, password: "wrong password" }), {});
      return withBody(validBody, {});
    case 403: {
      if (!route.auth) {
        await getDb().user.update({ where: { id: user.id }, data: { isActive: false } });
        return withBody(validBody, {});
      }
      const other = (["keys:read", "keys:write", "keys:verify"] as const).find((scope) => scope !== route.scope);
      const limited = await keyWith({ name: "limited", scopes: [other] });
      return withBody(validBody, bearer(limited.key));
    }
    case 404:
      return call(route.method, route.path.replace(":id", "999999999"), { ...(route.method === "POST" || route.method === "PATCH" ? { body: validBody } : {}), headers: bearer(token) });
    case 409:
      // importing a key that is already stored
      if (route.path === "/api-keys/import") return withBody(JSON.stringify({ keys: [{ key: target.key, name: "again" }] }), bearer(token));
      await call("POST", `/api-keys/${target.id}/revoke`, { headers: bearer(token) });
      return withBody(validBody, bearer(token));
    case 413:
      return call(route.method, path, { body: JSON.stringify({ name: "x", key: "x", username: "x".repeat(3 * 1024 * 1024) }), headers: route.auth ? bearer(token) : {} });
    case 415:
      return withBody("name=x", { ...(route.auth ? bearer(token) : {}), "content-type": "text/plain" });
    case 429: {
      if (route.path === "/api-keys/report-leak") {
        // every report counts, per address
        const clientAddress = "198.51.100.252";
        for (let i = 0; i < 10; i += 1) await call(route.method, path, { body: '{"keys": ["ak_x"]}', clientAddress });
        return call(route.method, path, { body: '{"keys": ["ak_x"]}', clientAddress });
      }
      if (!route.auth) {
        // failures are counted per account and address: all from one
        const clientAddress = "198.51.100.253";
        for (let i = 0; i < 5; i += 1) await call(route.method, path, { body: JSON.stringify({ username, password: "wrong" }), clientAddress });
        return call(route.method, path, { body: validBody, clientAddress });
      }
      const once = await keyWith({ name: "once", rate_limit_per_minute: 1 });
      await call("GET", "/api-keys", { headers: bearer(once.key) });
      return withBody(validBody, bearer(once.key));
    }
    default:
      throw new Error(`no way to provoke ${status} on ${route.method} ${route.path}: add one, or stop describing it`);
  }
}

describe("each described error status is one the route really returns", () => {
  const cases = routes.flatMap((route) => documentedErrors(route).map((status) => [`${route.method} ${route.path}`, status, route] as const));
  test.each(cases)("%s answers %i", async (_, status, route) => {
    // one minute window for the rate-limit case
    if (status === 429 && Date.now() % 60_000 > 58_000) await new Promise((resolve) => setTimeout(resolve, 2_500));
    const response = await provoke(route, status);
    expect(response.status).toBe(status);
    expect(ZFailedEnvelope.safeParse(await response.json()).success).toBe(true);
  });
});
