import { getDb, SessionKind } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { login, signUp } from "../src/index.ts";
import { newAccount } from "./helpers.ts";

const now = new Date("2026-01-01T00:00:00Z");
const MINUTE = 60_000;

describe("sign-up", () => {
  test("usernames and emails are unique whatever their case, with a message saying which", async () => {
    const { username } = await newAccount();
    await expect(signUp({ username: username.toUpperCase(), email: "other@example.test", name: "X", password: "long enough" })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { fields: { username: [expect.stringMatching(/taken/)] } },
    });
    await expect(signUp({ username: "someoneelse", email: `${username.toUpperCase()}@EXAMPLE.TEST`, name: "X", password: "long enough" })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { fields: { email: [expect.stringMatching(/already exists/)] } },
    });
  });

  test("stores an argon2id hash, never the password", async () => {
    const { user, password } = await newAccount("a very particular password");
    const row = await getDb().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);
  });

  test.each([
    [{}, "username", /required/],
    [{ username: "" }, "username", /at least 3/],
    [{ username: "x".repeat(33) }, "username", /at most 32/],
    [{ username: "has space" }, "username", /only letters/],
    [{ username: 42 }, "username", /must be text/],
    [{ email: "not-an-email" }, "email", /valid address/],
    [{ password: "short" }, "password", /at least 8/],
    [{ password: "x".repeat(257) }, "password", /at most 256/],
    [{ name: "   " }, "name", /required/],
  ])("refuses %j, naming the field, and writes nothing", async (override, field, message) => {
    const before = await getDb().user.count();
    const input = { username: "validname", email: "valid@example.test", name: "Valid", password: "long enough", ...override };
    if (!("username" in override) && Object.keys(override).length === 0) delete (input as Partial<typeof input>).username;
    await expect(signUp(input)).rejects.toMatchObject({ code: "BAD_REQUEST", details: { fields: { [field]: expect.arrayContaining([expect.stringMatching(message)]) } } });
    expect(await getDb().user.count()).toBe(before);
  });
});

describe("login", () => {
  test("a wrong username and a wrong password get the same answer", async () => {
    const { username } = await newAccount();
    const context = { clientAddress: "10.2.0.1", now };
    const wrongPassword = login({ username, password: "wrong password" }, SessionKind.ACCESS_TOKEN, context);
    const wrongUser = login({ username: `${username}-nobody`, password: "wrong password" }, SessionKind.ACCESS_TOKEN, context);
    const [a, b] = await Promise.allSettled([wrongPassword, wrongUser]);
    expect(a).toMatchObject({ status: "rejected", reason: { code: "UNAUTHORIZED", message: "Wrong username or password." } });
    expect(b).toMatchObject({ status: "rejected", reason: { code: "UNAUTHORIZED", message: "Wrong username or password." } });
  });

  test("writes no session when refused", async () => {
    const { username } = await newAccount();
    const before = await getDb().session.count();
    await expect(login({ username, password: "wrong password" }, SessionKind.WEB, { clientAddress: "10.2.0.2", now })).rejects.toThrow();
    expect(await getDb().session.count()).toBe(before);
  });

  test("a deactivated account cannot log in", async () => {
    const { user, username, password } = await newAccount();
    await getDb().user.update({ where: { id: user.id }, data: { isActive: false } });
    await expect(login({ username, password }, SessionKind.WEB, { clientAddress: "10.2.0.3", now })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("throttling failed logins", () => {
  test("engages after 5 failures for one account, even with the right password, and releases after 15 minutes", async () => {
    const { username, password } = await newAccount();
    const ctx = (minutes: number, clientAddress = "10.3.0.1") => ({ clientAddress, now: new Date(now.getTime() + minutes * MINUTE) });
    for (let i = 0; i < 5; i += 1) {
      await expect(login({ username, password: "wrong" }, SessionKind.ACCESS_TOKEN, ctx(i))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    // from another address too: the account itself is protected
    await expect(login({ username, password }, SessionKind.ACCESS_TOKEN, ctx(5, "10.3.0.99"))).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      details: { retryAfterSeconds: 10 * 60 },
    });
    // the first failure leaves the window at minute 15
    const released = await login({ username, password }, SessionKind.ACCESS_TOKEN, ctx(15));
    expect(released.user.username).toBe(username);
  });

  test("engages after 20 failures from one client address across accounts", async () => {
    const ctx = { clientAddress: "10.3.1.1", now };
    for (let i = 0; i < 20; i += 1) {
      // a different (unknown) account each time: only the address ties them together
      await expect(login({ username: `guess${i}`, password: "wrong" }, SessionKind.ACCESS_TOKEN, ctx)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const fresh = await newAccount();
    await expect(login({ username: fresh.username, password: fresh.password }, SessionKind.ACCESS_TOKEN, ctx)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // the same person from elsewhere is not affected
    await expect(login({ username: fresh.username, password: fresh.password }, SessionKind.ACCESS_TOKEN, { ...ctx, clientAddress: "10.3.1.2" })).resolves.toMatchObject({ user: { username: fresh.username } });
  });

  test("a successful login clears the account's earlier failures", async () => {
    const { username, password } = await newAccount();
    const ctx = { clientAddress: "10.3.2.1", now };
    for (let i = 0; i < 4; i += 1) await expect(login({ username, password: "wrong" }, SessionKind.WEB, ctx)).rejects.toThrow();
    await login({ username, password }, SessionKind.WEB, ctx);
    for (let i = 0; i < 4; i += 1) await expect(login({ username, password: "wrong" }, SessionKind.WEB, ctx)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
