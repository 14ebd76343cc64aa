// The failed-login throttle is kept in PostgreSQL: two instances on one database count as one.
import { signUp } from "@keysmith/auth";
import { dbEnv } from "@keysmith/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

let a: Instance;
let b: Instance;

const PASSWORD = "a long password";

beforeAll(async () => {
  const url = dbEnv.databaseUrl() ?? "";
  // the test process is the instances' trusted proxy: each test names its client addresses with X-Forwarded-For
  [a, b] = await Promise.all([startInstance(url, { KEYSMITH_TRUSTED_PROXIES: "loopback" }), startInstance(url, { KEYSMITH_TRUSTED_PROXIES: "loopback" })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

let accounts = 0;
async function newAccount(): Promise<string> {
  accounts += 1;
  const username = `shared${accounts}_${Math.random().toString(36).slice(2, 8)}`;
  await signUp({ username, email: `${username}@example.test`, name: "Shared", password: PASSWORD });
  return username;
}

interface Answer {
  status: number;
  retryAfter: number | null;
}

async function post(instance: Instance, path: string, from: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${instance.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": from },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  const retryAfter = response.headers.get("retry-after");
  return { status: response.status, retryAfter: retryAfter === null ? null : Number(retryAfter) };
}

/** POST /api/v1/login through `instance` from client address `from`. */
const login = (instance: Instance, from: string, username: string, password: string) => post(instance, "/api/v1/login", from, { username, password });

describe("two app instances on one PostgreSQL share the failed-login throttle", () => {
  test("3 wrong passwords through A and 2 through B for one account from one address refuse the right password from that address on both with 429 and a Retry-After of about 15 minutes; another address logs in", async () => {
    const username = await newAccount();
    for (const instance of [a, a, a, b, b]) expect((await login(instance, "198.18.1.1", username, "wrong password")).status).toBe(401);
    for (const instance of [a, b]) {
      const refused = await login(instance, "198.18.1.1", username, PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.retryAfter).toBeGreaterThan(14 * 60);
      expect(refused.retryAfter).toBeLessThanOrEqual(15 * 60);
    }
    expect((await login(b, "198.18.1.2", username, PASSWORD)).status).toBe(200);
  });

  test("10 failures through A and 10 through B from one address, each for another account, refuse that address's login on both and its sign-up through B with 429 and a Retry-After; another address logs in", async () => {
    const username = await newAccount();
    // sent at once: all 20 are admitted (the limit is reached, not passed) and fail
    const failures = await Promise.all(Array.from({ length: 20 }, (_, i) => login(i < 10 ? a : b, "198.18.2.1", `nobody${i}_${username}`, "wrong password")));
    expect(failures.map((answer) => answer.status)).toEqual(Array<number>(20).fill(401));
    for (const instance of [a, b]) {
      const refused = await login(instance, "198.18.2.1", username, PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.retryAfter).toBeGreaterThan(14 * 60);
    }
    const signUpRefused = await post(b, "/api/trpc/auth.signUp", "198.18.2.1", { username: `new_${username}`, email: `new_${username}@example.test`, name: "New", password: PASSWORD });
    expect(signUpRefused.status).toBe(429);
    expect(signUpRefused.retryAfter).toBeGreaterThan(14 * 60);
    expect((await login(a, "198.18.2.2", username, PASSWORD)).status).toBe(200);
  });

  test("of 12 wrong passwords for one account from one address sent at once, 6 through each instance, 5 are answered 401 and 7 are answered 429 with a Retry-After", async () => {
    const username = await newAccount();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => login(i % 2 === 0 ? a : b, "198.18.3.1", username, "wrong password")));
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(5);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(7);
    for (const answer of refused) expect(answer.retryAfter).toBeGreaterThanOrEqual(1);
  });

  test("a successful login through B clears the pair's 4 failures made through A: 4 more failures through A are answered 401, then the right password through A logs in", async () => {
    const username = await newAccount();
    for (let i = 0; i < 4; i += 1) expect((await login(a, "198.18.4.1", username, "wrong password")).status).toBe(401);
    expect((await login(b, "198.18.4.1", username, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await login(a, "198.18.4.1", username, "wrong password")).status).toBe(401);
    expect((await login(a, "198.18.4.1", username, PASSWORD)).status).toBe(200);
  });

  test("after 50 failures for one account spread over both instances, a new address's attempt through A takes the account's turn, so the right password from another new address through B is refused with a Retry-After of at most 5 seconds, while the address that logged in through A before logs in through B", async () => {
    const username = await newAccount();
    expect((await login(a, "198.18.5.1", username, PASSWORD)).status).toBe(200);
    // 5 from each of 10 addresses (sent at once per address: exactly 5 are admitted, see above)
    for (let address = 1; address <= 10; address += 1) {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => login(i % 2 === 0 ? a : b, `198.18.6.${address}`, username, "wrong password")));
      expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    }
    expect((await login(a, "198.18.7.1", username, "wrong password")).status).toBe(401);
    const slowed = await login(b, "198.18.7.2", username, PASSWORD);
    expect(slowed.status).toBe(429);
    expect(slowed.retryAfter).toBeGreaterThanOrEqual(1);
    expect(slowed.retryAfter).toBeLessThanOrEqual(5);
    expect((await login(b, "198.18.5.1", username, PASSWORD)).status).toBe(200);
  });
});
