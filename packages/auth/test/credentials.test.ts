import { getDb, SessionKind } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { apiKeyDisplayPrefix, generateApiKey, hashApiKey, login } from "../src/index.ts";
import { bearer, newAccount, resolve } from "./helpers.ts";

const now = new Date("2026-01-01T00:00:00Z");

async function storeKey(userId: number, extra: { revokedAt?: Date; expiresAt?: Date } = {}) {
  const key = generateApiKey();
  const row = await getDb().apiKey.create({
    data: { userId, name: "k", keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key), ...extra },
  });
  return { key, row };
}

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

  test("refuses a deleted key at once", async () => {
    const { user } = await newAccount();
    const { key, row } = await storeKey(user.id);
    await getDb().apiKey.delete({ where: { id: row.id } });
    expect(await resolve(bearer(key), now)).toMatchObject({ principal: null, error: { message: expect.stringMatching(/not valid/) } });
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
