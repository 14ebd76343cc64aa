import { getDb, Prisma, SessionKind } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { takenField } from "../src/accounts.ts";
import { login, signUp } from "../src/index.ts";
import { newAccount } from "./helpers.ts";

const now = new Date("2026-01-01T00:00:00Z");

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

  test("sign-ups racing for one email with different usernames: exactly one succeeds, every other is a CONFLICT naming the email field", async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const email = `race-${tag}@example.test`;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => signUp({ username: `racer${String(i)}-${tag}`, email, name: "Racer", password: "long enough" })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    expect(refused).toHaveLength(4);
    for (const error of refused) {
      expect(error).toMatchObject({ code: "CONFLICT", details: { fields: { email: [expect.stringMatching(/already exists/)] } } });
    }
  });

  test("takenField names the field of a duplicate written straight to the database: email, then username", async () => {
    const { username } = await newAccount();
    const duplicate = (data: { username: string; email: string }) =>
      getDb().user.create({ data: { ...data, name: "Duplicate", passwordHash: "x" } }).then(() => undefined, (error: unknown) => error);
    expect(takenField(await duplicate({ username: `${username}-2`, email: `${username}@example.test` }))).toBe("email");
    expect(takenField(await duplicate({ username, email: `${username}-2@example.test` }))).toBe("username");
  });

  test("takenField falls back to the constraint's name in the database's message when no fields are given", () => {
    const violation = (constraint: string) =>
      new Prisma.PrismaClientKnownRequestError("Unique constraint failed", {
        code: "P2002",
        clientVersion: Prisma.prismaVersion.client,
        meta: { modelName: "User", driverAdapterError: { name: "DriverAdapterError", cause: { originalMessage: `duplicate key value violates unique constraint "${constraint}"` } } },
      });
    expect(takenField(violation("users_email_key"))).toBe("email");
    expect(takenField(violation("users_username_key"))).toBe("username");
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
