import { usage } from "@keysmith/auth";
import { describe, expect, test } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

async function owner() {
  const { username, password } = await newUser();
  const token = await tokenFor(username, password);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "user-agent": "audit-test/1.0" };
  const create = async (body: object) => (await json(await call("POST", "/api-keys", { body: JSON.stringify(body), headers }))).data as { id: number; key: string };
  return { headers, create };
}

describe("GET /audit-log", () => {
  test("answers the caller's events newest first in the envelope, with actor, address and user agent; event and key_id narrow; limit pages by a Link header", async () => {
    const { headers, create } = await owner();
    const first = await create({ name: "one" });
    const second = await create({ name: "two" });
    await call("POST", `/api-keys/${first.id}/revoke`, { headers });

    const response = await call("GET", "/audit-log", { headers });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ message: "Audit log successfully retrieved", status: "success" });
    const events = body.data as { event: string; key_id: number | null; actor: { type: string }; user_agent: string | null; client_address: string | null }[];
    expect(events.map((event) => [event.event, event.key_id])).toEqual([
      ["key.revoked", first.id],
      ["key.created", second.id],
      ["key.created", first.id],
      ["token.issued", null],
      ["login.succeeded", null],
      ["account.signed_up", null],
    ]);
    expect(events[0]).toMatchObject({ actor: { type: "access_token" }, user_agent: "audit-test/1.0" });
    expect(events[0]?.client_address).toBeTruthy();
    expect(JSON.stringify(body)).not.toContain(first.key);

    const revoked = (await json(await call("GET", `/audit-log?event=key.revoked&key_id=${first.id}`, { headers }))).data as { key_id: number }[];
    expect(revoked.map((event) => event.key_id)).toEqual([first.id]);

    const paged = await call("GET", "/audit-log?limit=2", { headers });
    expect(((await json(paged)).data as unknown[]).length).toBe(2);
    expect(paged.headers.get("link")).toMatch(/^<\/api\/v1\/audit-log\?limit=2&cursor=\d+>; rel="next"$/);
  });

  test.each([
    ["event=key.exploded", "event"],
    ["key_id=abc", "key_id"],
    ["limit=500", "limit"],
    ["cursor=xyz", "cursor"],
  ])("?%s is 400 in the envelope naming %s", async (query, field) => {
    const { headers } = await owner();
    const response = await call("GET", `/audit-log?${query}`, { headers });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.status).toBe("failed");
    expect(Object.keys((body as { errors?: object }).errors ?? {})).toEqual([field]);
  });

  test("without credentials it is 401", async () => {
    expect((await call("GET", "/audit-log")).status).toBe(401);
  });
});

describe("GET /usage", () => {
  test("sums the caller's keys by outcome and, with key_ids, each named key's points", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "used" });
    const verify = (value: string) => call("GET", "/api-keys", { headers: { authorization: `Bearer ${value}` } });
    await verify(key.key);
    await verify(key.key);
    await usage.flush();

    const response = await call("GET", `/usage?key_ids=${key.id}`, { headers });
    expect(response.status).toBe(200);
    const { data, message } = await json(response);
    expect(message).toBe("Usage successfully retrieved");
    expect(data).toMatchObject({ interval: "hour", totals: { VALID: 2 }, keys: [{ id: key.id, total: 2 }] });
  });

  test("key_ids given once per id (key_ids=1&key_ids=2, as OpenAPI's default form) names the same keys as key_ids=1,2", async () => {
    const { headers, create } = await owner();
    const first = await create({ name: "first" });
    const second = await create({ name: "second" });
    const ids = async (query: string) => ((await json(await call("GET", `/usage?${query}`, { headers }))).data as { keys: { id: number }[] }).keys.map((key) => key.id);
    expect(await ids(`key_ids=${first.id}&key_ids=${second.id}`)).toEqual([first.id, second.id]);
    expect(await ids(`key_ids=${first.id},${second.id}`)).toEqual([first.id, second.id]);
  });

  test("a parameter that is not a list, given twice (interval=hour&interval=day), is 400 naming it", async () => {
    const { headers } = await owner();
    for (const path of ["/usage?interval=hour&interval=day", "/api-keys?limit=1&limit=2", "/audit-log?limit=1&limit=2"]) {
      const response = await call("GET", path, { headers });
      expect(response.status).toBe(400);
      const name = path.includes("interval") ? "interval" : "limit";
      expect((await json(response)).errors).toEqual({ [name]: [`${name} was given more than once; give it once.`] });
    }
  });

  test("?key_ids=1,x is 400 naming key_ids", async () => {
    const { headers } = await owner();
    const response = await call("GET", "/usage?key_ids=1,x", { headers });
    expect(response.status).toBe(400);
    expect(Object.keys(((await json(response)) as { errors?: object }).errors ?? {})).toEqual(["key_ids"]);
  });
});

describe("usage's default period", () => {
  test("with neither from nor to, hours are the 25 from the hour 24 hours ago, days the 2 from the day 24 hours ago", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "by the hour" });
    const before = Date.now();
    const points = async (interval: string) => ((await json(await call("GET", `/api-keys/${key.id}/usage?interval=${interval}`, { headers }))).data as { points: { at: string }[] }).points;
    const hours = await points("hour");
    const dayAgo = before - 86_400_000;
    // the hour may turn during the calls
    expect([dayAgo - (dayAgo % 3_600_000), dayAgo - (dayAgo % 3_600_000) + 3_600_000]).toContain(Date.parse(hours[0]?.at ?? ""));
    expect(hours).toHaveLength(25);
    const days = await points("day");
    expect(Date.parse(days[0]?.at ?? "")).toBeLessThanOrEqual(dayAgo);
    expect(days).toHaveLength(2);
  });

  test("interval=minute with neither from nor to is 200 with 1,440 points, the last one the current minute, for one key and for all", async () => {
    const { headers, create } = await owner();
    const key = await create({ name: "by the minute" });
    for (const path of [`/api-keys/${key.id}/usage`, "/usage"]) {
      const before = Date.now();
      const response = await call("GET", `${path}?interval=minute`, { headers });
      expect(response.status).toBe(200);
      const { points } = (await json(response)).data as { points: { at: string }[] };
      expect(points).toHaveLength(1_440);
      // the minute may turn during the call
      const minute = before - (before % 60_000);
      expect([minute, minute + 60_000]).toContain(Date.parse(points.at(-1)?.at ?? ""));
    }
  });
});
