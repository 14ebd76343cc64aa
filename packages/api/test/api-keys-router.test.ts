import { getDb } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { callerFor, resolve, signedUpCaller } from "./helpers.ts";

const bearer = (key: string) => new Headers({ authorization: `Bearer ${key}` });

describe("apiKeys router", () => {
  test("create returns the key once; list shows it without the key, newest first", async () => {
    const { caller } = await signedUpCaller();
    const first = await caller.apiKeys.create({ name: "  first  ", description: "" });
    const second = await caller.apiKeys.create({ name: "second", description: "for CI" });

    expect(first).toEqual({ id: expect.any(Number), key: expect.stringMatching(/^ak_[A-Za-z0-9_-]{43}$/), name: "first", description: null });
    const list = (await caller.apiKeys.list()).items;
    expect(list.map((k) => k.name)).toEqual(["second", "first"]);
    expect(list[0]).toEqual({
      id: second.id,
      name: "second",
      description: "for CI",
      partialKey: `${second.key.slice(0, 7)}…`,
      scopes: ["keys:read", "keys:write", "keys:verify"],
      rateLimitPerMinute: null,
      remaining: null,
      refill: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      status: "active",
      replacesId: null,
      leak: null,
      foreign: false,
    });
    expect(JSON.stringify(list)).not.toContain(first.key.slice(7));
    expect(JSON.stringify(list)).not.toContain(second.key.slice(7));
  });

  test("the stored row holds a hash and a prefix, never the key", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "stored" });
    const row = await getDb().apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify({ ...row, keyHash: Buffer.from(row.keyHash).toString("base64url") })).not.toContain(created.key.slice(7));
    expect(row.prefix).toBe(created.key.slice(0, 7));
  });

  test("the created key authenticates as its owner; deleting it stops it at once", async () => {
    const { caller, user } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "short-lived" });
    expect((await resolve(bearer(created.key))).principal?.user.id).toBe(user.id);
    expect(await caller.apiKeys.delete({ id: created.id })).toEqual({ deleted: true });
    expect((await resolve(bearer(created.key))).principal).toBeNull();
    expect((await caller.apiKeys.list()).items).toEqual([]);
  });

  test("a user sees and deletes only their own keys; another's id answers exactly like a missing one", async () => {
    const alice = await signedUpCaller();
    const bob = await signedUpCaller();
    const aliceKey = await alice.caller.apiKeys.create({ name: "alice's" });

    expect((await bob.caller.apiKeys.list()).items).toEqual([]);
    const foreign: unknown = await bob.caller.apiKeys.delete({ id: aliceKey.id }).catch((e: unknown) => e);
    const missing: unknown = await bob.caller.apiKeys.delete({ id: 2_000_000_000 }).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ code: "NOT_FOUND" });
    expect(missing).toMatchObject({ code: "NOT_FOUND" });
    expect((foreign as Error).message.replace(String(aliceKey.id), "N")).toBe((missing as Error).message.replace("2000000000", "N"));
    expect((await alice.caller.apiKeys.list()).items.map((k) => k.id)).toEqual([aliceKey.id]);
  });

  test("an API key can manage its owner's keys", async () => {
    const owner = await signedUpCaller();
    const created = await owner.caller.apiKeys.create({ name: "automation" });
    const resolution = await resolve(bearer(created.key));
    const { caller } = callerFor({ principal: resolution.principal });
    expect((await caller.apiKeys.list()).items.map((k) => k.id)).toEqual([created.id]);
  });

  test("anonymous callers are refused with UNAUTHORIZED", async () => {
    const { caller } = callerFor();
    await expect(caller.apiKeys.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.apiKeys.create({ name: "x" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.apiKeys.delete({ id: 1 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  test.each([
    [{ name: "" }, /Name is required/],
    [{ name: "   " }, /Name is required/],
    [{ name: "x".repeat(65) }, /at most 64/],
    [{ name: "ok", description: "d".repeat(501) }, /at most 500/],
  ])("create refuses %j with BAD_REQUEST and writes nothing", async (input, message) => {
    const { caller } = await signedUpCaller();
    await expect(caller.apiKeys.create(input)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    expect((await caller.apiKeys.list()).items).toEqual([]);
  });

  test("a cookie session cannot create keys from another site", async () => {
    const signed = await signedUpCaller();
    const { caller } = callerFor({ principal: signed.principal, crossSite: true });
    await expect(caller.apiKeys.create({ name: "csrf" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await signed.caller.apiKeys.list()).items).toEqual([]);
  });
});
