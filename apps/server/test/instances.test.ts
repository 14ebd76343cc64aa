import { signUp } from "@keysmith/auth";
import { dbEnv, getPool } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";

import { type Instance, startInstance, until } from "./instance.ts";

let a: Instance;
let b: Instance;
let token: string;

async function rest(instance: Instance, method: string, path: string, credential: string, body?: unknown) {
  const response = await fetch(`${instance.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { data: Record<string, unknown> | null; message: string } };
}

const verifyOn = async (instance: Instance, key: string) => (await rest(instance, "POST", "/api-keys/verify", token, { key })).body.data?.code;

async function health(instance: Instance) {
  return (await (await fetch(`${instance.url}/healthz`)).json()) as { keyEvents: string; keyEventsHeartbeatAgeMs: number | null; cachedKeys: number; pid: number };
}

beforeAll(async () => {
  const url = dbEnv.databaseUrl() ?? "";
  [a, b] = await Promise.all([startInstance(url), startInstance(url)]);
  await signUp({ username: "twoinstances", email: "two@example.test", name: "Two Instances", password: "a long password" });
  const login = await fetch(`${a.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "twoinstances", password: "a long password" }) });
  token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
});

afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

async function keyWarmOnB(name: string) {
  const created = await rest(a, "POST", "/api-keys", token, { name });
  const key = String(created.body.data?.key);
  const id = Number(created.body.data?.id);
  // the first verification starts B's listener; once it listens, B caches (the key's own
  // insert notification may still overtake a lookup, which is then not cached: verify again)
  expect(await verifyOn(b, key)).toBe("VALID");
  await until(async () => (await health(b)).keyEvents === "listening", 5_000);
  await until(async () => (await verifyOn(b, key)) === "VALID" && (await health(b)).cachedKeys > 0, 2_000);
  return { key, id };
}

describe("two app instances on one PostgreSQL", () => {
  test("a key revoked through one is rejected by the other within one second", async () => {
    const { key, id } = await keyWarmOnB("shared");
    expect((await rest(a, "POST", `/api-keys/${id}/revoke`, token)).status).toBe(200);
    const elapsed = await until(async () => (await verifyOn(b, key)) === "REVOKED", 1_000);
    expect(elapsed).toBeLessThan(1_000);
    expect((await rest(b, "GET", "/api-keys", key)).status).toBe(401);
  });

  test("deleting and rolling propagate the same way", async () => {
    const deleted = await keyWarmOnB("deleted");
    await rest(a, "DELETE", `/api-keys/${deleted.id}`, token);
    await until(async () => (await verifyOn(b, deleted.key)) === "NOT_FOUND", 1_000);

    const rolled = await keyWarmOnB("rolled");
    const response = await rest(a, "POST", `/api-keys/${rolled.id}/roll`, token, { grace_seconds: 0 });
    await until(async () => (await verifyOn(b, rolled.key)) === "REVOKED", 1_000);
    expect(await verifyOn(b, String(response.body.data?.key))).toBe("VALID");
  });

  test("a scope narrowed by PATCH through one is refused by the other within one second", async () => {
    const narrowed = await keyWarmOnB("narrowed");
    const verifyScoped = async () => (await rest(b, "POST", "/api-keys/verify", token, { key: narrowed.key, scopes: ["keys:write"] })).body.data?.code;
    expect(await verifyScoped()).toBe("VALID");
    expect((await rest(a, "PATCH", `/api-keys/${narrowed.id}`, token, { scopes: ["keys:verify"] })).status).toBe(200);
    await until(async () => (await verifyScoped()) === "INSUFFICIENT_SCOPE", 1_000);
  });

  test("when B's notification connection goes silent (its backend stalled: no FIN, no RST), B refuses a key revoked through A within 5 s, /healthz tells of the silence, and B opens a new one", async () => {
    const { key, id } = await keyWarmOnB("through a partition");
    const { pid } = await health(b);
    const { rows } = await getPool().query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [`keysmith-listen-keysmith_api_keys-${pid}`]);
    const stalled = rows[0]?.pid;
    if (stalled === undefined) throw new Error("B has no listener backend");
    let silenceSeen = false;
    const watching = setInterval(() => {
      void health(b).then((status) => {
        if (status.keyEvents !== "listening" || (status.keyEventsHeartbeatAgeMs ?? 0) >= 2_000) silenceSeen = true;
      });
    }, 50);
    onTestFinished(() => clearInterval(watching));
    process.kill(stalled, "SIGSTOP");
    try {
      expect((await rest(a, "POST", `/api-keys/${id}/revoke`, token)).status).toBe(200);
      const elapsed = await until(async () => (await verifyOn(b, key)) === "REVOKED", 5_000);
      expect(elapsed).toBeLessThan(5_000);
      // meanwhile /healthz told of the silence: the age of the last heartbeat passed two seconds, or the state left "listening"
      expect(silenceSeen).toBe(true);
      await until(async () => (await health(b)).keyEvents === "listening", 10_000);
      const { rows: after } = await getPool().query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [`keysmith-listen-keysmith_api_keys-${pid}`]);
      expect(after.map((row) => row.pid)).toContain(stalled);
      expect(after).toHaveLength(2);
    } finally {
      process.kill(stalled, "SIGCONT");
    }
  });

  test("when B's notification connection drops, B still refuses revoked keys, and reconnects on its own", async () => {
    const { key, id } = await keyWarmOnB("through a drop");
    const { pid } = await health(b);
    await getPool().query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`keysmith-listen-keysmith_api_keys-${pid}`]);
    await until(async () => (await health(b)).keyEvents === "reconnecting", 2_000);

    // the notification for this change is lost: B must serve from the database meanwhile
    await rest(a, "POST", `/api-keys/${id}/revoke`, token);
    expect(await verifyOn(b, key)).toBe("REVOKED");

    await until(async () => (await health(b)).keyEvents === "listening", 10_000);
    const after = await keyWarmOnB("after the reconnect");
    await rest(a, "POST", `/api-keys/${after.id}/revoke`, token);
    await until(async () => (await verifyOn(b, after.key)) === "REVOKED", 1_000);
  });
});
