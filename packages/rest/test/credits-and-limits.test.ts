import { describe, expect, test } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

const auth = (credential: string) => ({ authorization: `Bearer ${credential}`, "content-type": "application/json" });

async function signedIn() {
  const { username, password } = await newUser();
  return tokenFor(username, password);
}

async function createKey(token: string, body: object) {
  return json(await call("POST", "/api-keys", { body: JSON.stringify({ name: "k", ...body }), headers: auth(token) }));
}

describe("credits and rate limits over REST", () => {
  test.each<[string, object, string, RegExp]>([
    ["negative credits", { remaining: -1 }, "remaining", /remaining must be at least 0/],
    ["fractional credits", { remaining: 1.5 }, "remaining", /remaining must be a whole number/],
    ["a refill without credits", { refill: { amount: 5, interval: "day" } }, "refill", /A refill needs credits/],
    ["a weekly refill", { remaining: 5, refill: { amount: 5, interval: "week" } }, "refill", /refill.interval must be "day" or "month"/],
    ["a refill of 0", { remaining: 5, refill: { amount: 0, interval: "day" } }, "refill", /refill.amount must be at least 1/],
  ])("creating a key with %s is 400 naming the field (nested fields under their top-level name)", async (_, body, field, message) => {
    const token = await signedIn();
    const response = await call("POST", "/api-keys", { body: JSON.stringify({ name: "k", ...body }), headers: auth(token) });
    expect(response.status).toBe(400);
    expect((await json(response)).errors?.[field]).toEqual([expect.stringMatching(message)]);
  });

  test("verify with a cost of -1 or 1001 is 400 naming cost", async () => {
    const token = await signedIn();
    for (const cost of [-1, 1001]) {
      const response = await call("POST", "/api-keys/verify", { body: JSON.stringify({ key: "ak_x", cost }), headers: auth(token) });
      expect(response.status).toBe(400);
      expect(Object.keys((await json(response)).errors ?? {})).toEqual(["cost"]);
    }
  });

  test("verify spends the cost and reports what is left; with too few credits it answers USAGE_EXCEEDED in its message; GET shows the credits left", async () => {
    const token = await signedIn();
    const created = (await createKey(token, { remaining: 3 })).data as { id: number; key: string };
    const verify = async (cost?: number) => json(await call("POST", "/api-keys/verify", { body: JSON.stringify({ key: created.key, ...(cost === undefined ? {} : { cost }) }), headers: auth(token) }));
    expect((await verify(2)).data).toMatchObject({ code: "VALID", remaining: 1 });
    const refused = await verify(2);
    expect(refused).toMatchObject({ message: "API key is not valid: USAGE_EXCEEDED", data: { valid: false, code: "USAGE_EXCEEDED", remaining: 1 } });
    expect((await json(await call("GET", `/api-keys/${created.id}`, { headers: auth(token) }))).data).toMatchObject({ remaining: 1, refill: null });
  });

  test("a key with no credits left used as the Bearer credential is 403 saying so and when it refills", async () => {
    const token = await signedIn();
    const created = (await createKey(token, { remaining: 1, refill: { amount: 50, interval: "day" } })).data as { key: string };
    expect((await call("GET", "/api-keys", { headers: auth(created.key) })).status).toBe(200);
    const refused = await call("GET", "/api-keys", { headers: auth(created.key) });
    expect(refused.status).toBe(403);
    expect((await json(refused)).message).toBe("This API key has used all its credits. It gets 50 back at the start of the next UTC day. Its owner can give it more.");
  });

  test("a Bearer key refused for a scope it lacks (403) spends none of its credits and no rate-limit admission: its owner still sees them all", async () => {
    const token = await signedIn();
    const created = (await createKey(token, { scopes: ["keys:read"], remaining: 2, rate_limit_per_minute: 2 })).data as { id: number; key: string };
    for (let i = 0; i < 3; i += 1) {
      const refused = await call("POST", "/api-keys", { body: JSON.stringify({ name: "stronger" }), headers: auth(created.key) });
      expect(refused.status).toBe(403);
      expect((await json(refused)).message).toBe('This API key lacks the "keys:write" scope; use a key that has it, or your access token.');
    }
    expect((await json(await call("GET", `/api-keys/${created.id}`, { headers: auth(token) }))).data).toMatchObject({ remaining: 2 });
    // both admissions of the minute are still there, and each spends one credit
    expect((await call("GET", "/api-keys", { headers: auth(created.key) })).status).toBe(200);
    expect((await call("GET", "/api-keys", { headers: auth(created.key) })).status).toBe(200);
    expect((await json(await call("GET", `/api-keys/${created.id}`, { headers: auth(token) }))).data).toMatchObject({ remaining: 0 });
  });

  test("verify of a key over its rate limit answers RATE_LIMITED with retry_after_seconds equal to its Retry-After; a VALID answer's is null", async () => {
    const token = await signedIn();
    const created = (await createKey(token, { rate_limit_per_minute: 1 })).data as { key: string };
    const verify = () => call("POST", "/api-keys/verify", { body: JSON.stringify({ key: created.key }), headers: auth(token) });
    expect((await json(await verify())).data).toMatchObject({ code: "VALID", retry_after_seconds: null });
    const refused = await verify();
    const data = (await json(refused)).data as { code: string; retry_after_seconds: number };
    expect(data.code).toBe("RATE_LIMITED");
    expect(data.retry_after_seconds).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("retry-after")).toBe(String(data.retry_after_seconds));
  });

  test("a key over its rate limit used as the Bearer credential is 429 with Retry-After, RateLimit-Policy and RateLimit", async () => {
    const token = await signedIn();
    const created = (await createKey(token, { rate_limit_per_minute: 1 })).data as { key: string };
    expect((await call("GET", "/api-keys", { headers: auth(created.key) })).status).toBe(200);
    const refused = await call("GET", "/api-keys", { headers: auth(created.key) });
    expect(refused.status).toBe(429);
    const wait = refused.headers.get("retry-after");
    expect(Number(wait)).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-policy")).toBe('"key";q=1;w=60');
    expect(refused.headers.get("ratelimit")).toBe(`"key";r=0;t=${wait ?? ""}`);
  });
});
