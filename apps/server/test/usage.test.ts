/**
 * Usage counts across real server processes sharing one PostgreSQL: counts
 * from two instances add up exactly; a graceful stop flushes what is
 * pending; a SIGKILL loses at most what one flush interval gathered.
 */
import { signUp } from "@keysmith/auth";
import { dbEnv } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

const url = () => dbEnv.databaseUrl() ?? "";
let token: string;
let started: Instance[] = [];

async function start(flushMs: number): Promise<Instance> {
  const instance = await startInstance(url(), { KEYSMITH_USAGE_FLUSH_MS: String(flushMs) });
  started.push(instance);
  return instance;
}

async function rest(instance: Instance, method: string, path: string, body?: unknown) {
  const response = await fetch(`${instance.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as { data: Record<string, unknown> };
}

async function newKey(instance: Instance, name: string) {
  const created = await rest(instance, "POST", "/api-keys", { name, scopes: ["keys:read", "keys:verify"] });
  return { id: Number(created.data.id), key: String(created.data.key) };
}

const verify = (instance: Instance, key: string, scopes?: string[]) => rest(instance, "POST", "/api-keys/verify", { key, ...(scopes ? { scopes } : {}) });

async function totalsByRest(instance: Instance, id: number) {
  return (await rest(instance, "GET", `/api-keys/${id}/usage?interval=day`)).data.totals as Record<string, number>;
}

async function totalsByTrpc(instance: Instance, id: number) {
  const input = encodeURIComponent(JSON.stringify({ id, interval: "day" }));
  const response = await fetch(`${instance.url}/api/trpc/apiKeys.usage?input=${input}`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { result: { data: { totals: Record<string, number> } } }).result.data.totals;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  await signUp({ username: "usage", email: "usage@example.test", name: "Usage", password: "a long password" });
  const login = await fetch(`${(await start(200)).url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "usage", password: "a long password" }) });
  token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
});

afterAll(async () => {
  await Promise.all(started.map((instance) => instance.stop()));
  started = [];
});

describe("usage counts across instances", () => {
  test("verifications on two instances (flushing every 200 ms) read back exactly, by outcome, through REST and tRPC", async () => {
    const [a, b] = [started[0] as Instance, await start(200)];
    const { id, key } = await newKey(a, "counted twice");
    for (let i = 0; i < 7; i += 1) await verify(a, key);
    for (let i = 0; i < 5; i += 1) await verify(b, key);
    for (let i = 0; i < 3; i += 1) await verify(b, key, ["keys:write"]);
    const expected = { VALID: 12, INSUFFICIENT_SCOPE: 3 };
    expect(await until(() => totalsByRest(a, id), (totals) => JSON.stringify(totals) === JSON.stringify(expected), 5_000)).toEqual(expected);
    expect(await totalsByTrpc(b, id)).toEqual(expected);
  });

  test("a graceful stop writes the counts still pending; a SIGKILL loses what its flush interval had gathered, and no more", async () => {
    const reader = started[0] as Instance;
    const { id, key } = await newKey(reader, "stopped and killed");
    // a flush interval far longer than the test: only shutdown can write these counts
    const graceful = await start(600_000);
    for (let i = 0; i < 4; i += 1) await verify(graceful, key);
    await graceful.stop();
    expect(await totalsByRest(reader, id)).toEqual({ VALID: 4 });

    const killed = await start(600_000);
    for (let i = 0; i < 6; i += 1) await verify(killed, key);
    await killed.kill();
    // the six were pending when the process died: they are lost, the four before them are not
    expect(await totalsByRest(reader, id)).toEqual({ VALID: 4 });
  });
});
