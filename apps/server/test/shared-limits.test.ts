import { login, SESSION_COOKIE, signUp } from "@keysmith/auth";
import { dbEnv, SessionKind } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance, until } from "./instance.ts";

// Three apps/server instances on one PostgreSQL: what counts must add up across them.
let instances: Instance[] = [];
let token: string;

const PASSWORD = "a long password";

async function rest(instance: Instance, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${instance.url}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data: Record<string, unknown> | null; message: string } };
}

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

/** Sends `total` verifications of `key` spread over every instance, `inFlight` at a time; returns the codes by count. */
async function hammer(key: string, total: number, inFlight: number, extra: object = {}): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const instance = instances[next % instances.length] as Instance;
      next += 1;
      const { body } = await rest(instance, "POST", "/api-keys/verify", bearer(token), { key, ...extra });
      const code = typeof body.data?.code === "string" ? body.data.code : body.message;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return codes;
}

async function health(instance: Instance) {
  return (await (await fetch(`${instance.url}/healthz`)).json()) as { keyEvents: string; cachedSessions: number };
}

beforeAll(async () => {
  const url = dbEnv.databaseUrl() ?? "";
  instances = await Promise.all([startInstance(url), startInstance(url), startInstance(url)]);
  await signUp({ username: "threeinstances", email: "three@example.test", name: "Three Instances", password: PASSWORD });
  const response = await rest(instances[0] as Instance, "POST", "/login", {}, { username: "threeinstances", password: PASSWORD });
  token = String(response.body.data?.jwtToken);
  // three processes starting at once on two cores
}, 120_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
});

describe("three app instances on one PostgreSQL", () => {
  test("a key limited to 100 a minute, hammered through all three at once, is admitted between 100 and 110 times in the minute; refusals carry Retry-After and the RateLimit headers", async () => {
    // all of it inside one minute: wait out the end of this one if it is near
    const into = Date.now() % 60_000;
    if (into > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - into + 100));
    const created = await rest(instances[0] as Instance, "POST", "/api-keys", bearer(token), { name: "limited", rate_limit_per_minute: 100 });
    const key = String(created.body.data?.key);

    const codes = await hammer(key, 600, 48);
    const valid = codes.get("VALID") ?? 0;
    expect(valid).toBeGreaterThanOrEqual(100);
    expect(valid).toBeLessThanOrEqual(110);
    expect(codes.get("RATE_LIMITED")).toBe(600 - valid);

    const refused = await rest(instances[1] as Instance, "POST", "/api-keys/verify", bearer(token), { key });
    expect(refused.body.data?.code).toBe("RATE_LIMITED");
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-policy")).toBe('"key";q=100;w=60');
    expect(refused.headers.get("ratelimit")).toBe(`"key";r=0;t=${wait}`);
  });

  test("a key with 1,000 credits, verified 5,000 times at once through all three, is VALID exactly 1,000 times and then has 0 left", async () => {
    const created = await rest(instances[0] as Instance, "POST", "/api-keys", bearer(token), { name: "credited", remaining: 1000 });
    const key = String(created.body.data?.key);

    const codes = await hammer(key, 5_000, 60);
    expect(Object.fromEntries(codes)).toEqual({ VALID: 1000, USAGE_EXCEEDED: 4000 });
    const detail = await rest(instances[2] as Instance, "GET", `/api-keys/${String(created.body.data?.id)}`, bearer(token));
    expect(detail.body.data?.remaining).toBe(0);
  });

  test.each([
    ["an access token", SessionKind.ACCESS_TOKEN, (credential: string) => bearer(credential)],
    ["a web session cookie", SessionKind.WEB, (credential: string) => ({ cookie: `${SESSION_COOKIE}=${credential}` })],
  ])("%s cached by B and logged out through A is refused by B within one second", async (_, kind, send) => {
    const { token: credential } = await login({ username: "threeinstances", password: PASSWORD }, kind, { clientAddress: "203.0.113.90", now: new Date() });
    const [a, b] = instances as [Instance, Instance];
    // B's listener runs and the session is in B's cache
    const before = (await health(b)).cachedSessions;
    expect((await rest(b, "GET", "/api-keys", send(credential))).status).toBe(200);
    await until(async () => (await health(b)).keyEvents === "listening", 5_000);
    await until(async () => (await rest(b, "GET", "/api-keys", send(credential))).status === 200 && (await health(b)).cachedSessions > before, 2_000);

    expect((await rest(a, "POST", "/logout", send(credential))).status).toBe(200);
    const elapsed = await until(async () => (await rest(b, "GET", "/api-keys", send(credential))).status === 401, 1_000);
    expect(elapsed).toBeLessThan(1_000);
  });
});
