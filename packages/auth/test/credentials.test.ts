import { SessionKind } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { generateApiKey, login, verifyApiKey } from "../src/index.ts";
import { bearer, changeElsewhere, newAccount, resolve, storeKey, warm } from "./helpers.ts";

const now = new Date("2026-01-01T00:00:00Z");

afterEach(() => {
  vi.restoreAllMocks();
});


describe("the Bearer resolver", () => {
  test("a value starting ak_ is an API key, anything else an access token", async () => {
    const { user, username, password } = await newAccount();
    const { key, row } = await storeKey(user.id);
    const { token } = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.1.0.1", now });

    expect((await resolve(bearer(key), now)).principal).toMatchObject({ via: "key", apiKeyId: row.id, user: { id: user.id } });
    expect((await resolve(bearer(token), now)).principal).toMatchObject({ via: "token", user: { id: user.id } });
  });

  test("each user's credentials resolve to that user only", async () => {
    const alice = await newAccount();
    const bob = await newAccount();
    const aliceKey = await storeKey(alice.user.id);
    const bobToken = await login({ username: bob.username, password: bob.password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.1.0.2", now });
    expect((await resolve(bearer(aliceKey.key), now)).principal?.user.id).toBe(alice.user.id);
    expect((await resolve(bearer(bobToken.token), now)).principal?.user.id).toBe(bob.user.id);
  });

  test.each([
    ["a revoked key", { revokedAt: new Date(now.getTime() - 1) }, /revoked/],
    ["an expired key", { expiresAt: new Date(now.getTime() - 1) }, /expired/],
  ])("refuses %s", async (_, extra, message) => {
    const { user } = await newAccount();
    const { key } = await storeKey(user.id, extra);
    expect(await resolve(bearer(key), now)).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED", message: expect.stringMatching(message) } });
  });

  test("refuses a cached key within a second of its deletion elsewhere", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id);
    await warm(key);
    await changeElsewhere("DELETE FROM api_keys WHERE id = $1", row.id);
    await vi.waitFor(async () => {
      expect(await resolve(bearer(key), new Date())).toMatchObject({ principal: null, error: { message: expect.stringMatching(/not valid/) } });
    }, { timeout: 1000, interval: 10 });
  });

  test.each([
    ["deactivated", "UPDATE users SET is_active = false WHERE id = $1", /revoked/],
    ["deleted", "DELETE FROM users WHERE id = $1", /not valid/],
  ])("refuses a cached key within a second of its owner being %s elsewhere", async (_, sql, message) => {
    const { user } = await newAccount();
    const { key } = await storeKey(user.id);
    await warm(key);
    await changeElsewhere(sql, user.id);
    await vi.waitFor(async () => {
      expect(await resolve(bearer(key), new Date())).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED", message: expect.stringMatching(message) } });
    }, { timeout: 1000, interval: 10 });
    expect((await verifyApiKey(key)).result.valid).toBe(false);
  });

  test("refuses a mistyped key by its checksum", async () => {
    const key = generateApiKey();
    const typo = key.slice(0, 10) + (key[10] === "A" ? "B" : "A") + key.slice(11);
    expect(await resolve(bearer(typo), now)).toMatchObject({ principal: null, error: { message: expect.stringMatching(/malformed/) } });
  });

  test.each([
    ["Bearer", /no token or key after "Bearer"/],
    ["Bearer    ", /no token or key after "Bearer"/],
    ["Basic dXNlcjpwYXNz", /Bearer scheme/],
    ["Bearer not-a-token", /neither an access token nor an API key/],
    ["Bearer ak_short", /malformed/],
    ["Bearer aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb", /not valid/],
  ])("refuses the header %j with a message saying why", async (header, message) => {
    const result = await resolve(new Headers({ authorization: header }), now);
    expect(result).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED", message: expect.stringMatching(message) } });
  });
});
