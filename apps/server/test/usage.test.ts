/**
 * Usage counts across real server processes sharing one PostgreSQL: counts
 * from two instances add up exactly; a graceful stop flushes what is
 * pending, trying again when that write fails; a SIGKILL loses at most what
 * one flush interval gathered.
 */
import { signUp, UsageRecorder } from "@keysmith/auth";
import { dbEnv, getPool } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

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

/**
 * Makes PostgreSQL refuse the first `failures` writes of `keyId`'s usage
 * counts: a real failure inside the flush's transaction, for that key only.
 * A sequence is not rolled back with the failed transaction, so it both
 * counts the refusals and tells how many writes reached the table.
 */
async function refuseUsageWrites(keyId: number, failures: number) {
  const pool = getPool();
  await pool.query("CREATE SEQUENCE usage_fault_writes");
  await pool.query(`CREATE FUNCTION usage_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('usage_fault_writes') <= ${failures} THEN RAISE EXCEPTION 'injected fault: usage write refused'; END IF;
      RETURN NEW;
    END $$`);
  await pool.query(`CREATE TRIGGER usage_fault BEFORE INSERT ON key_usage_minutes FOR EACH ROW WHEN (NEW.key_id = ${keyId}) EXECUTE FUNCTION usage_fault()`);
  return {
    async writes(): Promise<number> {
      const { rows } = await pool.query<{ last_value: string; is_called: boolean }>("SELECT last_value, is_called FROM usage_fault_writes");
      return rows[0]?.is_called ? Number(rows[0].last_value) : 0;
    },
    async remove(): Promise<void> {
      await pool.query("DROP TRIGGER usage_fault ON key_usage_minutes");
      await pool.query("DROP FUNCTION usage_fault()");
      await pool.query("DROP SEQUENCE usage_fault_writes");
    },
  };
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

  test("a graceful stop whose final flush is refused once by PostgreSQL tries again and writes the counts", async () => {
    const reader = started[0] as Instance;
    const { id, key } = await newKey(reader, "flushed on the second try");
    const fault = await refuseUsageWrites(id, 1);
    try {
      const graceful = await start(600_000);
      for (let i = 0; i < 3; i += 1) await verify(graceful, key);
      await graceful.stop();
      expect(await totalsByRest(reader, id)).toEqual({ VALID: 3 });
      // the first write was refused and a later one reached the table again
      expect(await fault.writes()).toBeGreaterThanOrEqual(2);
    } finally {
      await fault.remove();
    }
  });
});

describe("a stop whose final flush keeps failing", () => {
  test("tries 3 times, then resolves and writes one line on stderr with the counts not written and the error, without the key", async () => {
    const reader = started[0] as Instance;
    const { id, key } = await newKey(reader, "never flushed");
    const fault = await refuseUsageWrites(id, 1_000);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      // in this process, to read what it writes: the app's own recorder is an instance of the same class
      const recorder = new UsageRecorder(() => 600_000);
      recorder.record(id, Date.now(), "VALID");
      await expect(recorder.stop()).resolves.toBeUndefined();
      expect(await fault.writes()).toBe(3);
      expect(errors.mock.calls).toHaveLength(1);
      const line = errors.mock.calls.flat().join(" ");
      expect(line).toMatch(/usage not written at shutdown after 3 failed tries \(counts: 1, keys' last use: 1\): .*injected fault: usage write refused/);
      expect(line).not.toContain(key);
      expect(line.split("\n")).toHaveLength(1);
    } finally {
      errors.mockRestore();
      await fault.remove();
    }
  });

  test("is not tried again once 5 s have passed since the stop began: one try, then the line on stderr", async () => {
    const reader = started[0] as Instance;
    const { id } = await newKey(reader, "slow to fail");
    const fault = await refuseUsageWrites(id, 1_000);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    // the clock the stop reads: the first try (which fails at once here) is made to look as slow as a stalled database's
    const realNow = performance.now.bind(performance);
    let shift = 0;
    const now = vi.spyOn(performance, "now").mockImplementation(() => realNow() + shift);
    try {
      const recorder = new UsageRecorder(() => 600_000);
      recorder.record(id, Date.now(), "VALID");
      const stopping = recorder.stop();
      shift = 6_000;
      await expect(stopping).resolves.toBeUndefined();
      expect(await fault.writes()).toBe(1);
      expect(errors.mock.calls.flat().join(" ")).toMatch(/usage not written at shutdown after 1 failed try \(counts: 1, keys' last use: 1\)/);
    } finally {
      now.mockRestore();
      errors.mockRestore();
      await fault.remove();
    }
  });
});
