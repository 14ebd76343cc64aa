import { type Principal, usage, verifyApiKey } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { ZAuditLogQuery } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { deleteApiKey, listAuditLog, revokeApiKey, rollApiKey, updateApiKey } from "../src/index.ts";
import { create, keyPrincipal, ownerPrincipal } from "./helpers.ts";

const list = (principal: Principal, query: Record<string, unknown> = {}) => listAuditLog({ principal, query: ZAuditLogQuery.parse(query) });

/** The owner's principal as a request from a browser at 198.51.100.7 resolves it. */
function fromBrowser(principal: Principal): Principal {
  return { ...principal, client: { address: "198.51.100.7", userAgent: "Mozilla/5.0 (test)" } };
}

describe("key events in the audit log", () => {
  test("create, update, roll, revoke and delete each record one event, newest first, with the actor, client address, user agent, the key's id and name, and no key value", async () => {
    const owner = fromBrowser(await ownerPrincipal());
    const now = new Date();
    const key = await create(owner, { name: "audited", scopes: ["keys:read", "keys:write"], rate_limit_per_minute: 100 }, now);
    await updateApiKey({ principal: owner, id: key.id, fields: { name: "renamed", scopes: ["keys:read"] }, now });
    const rolled = await rollApiKey({ principal: owner, id: key.id, graceSeconds: 60, now });
    await revokeApiKey({ principal: owner, id: key.id, now });
    await deleteApiKey({ principal: owner, id: rolled.id, now });

    const { items } = await list(owner);
    expect(items.map((event) => [event.event, event.key_id, event.key_name])).toEqual([
      ["key.deleted", rolled.id, "renamed"],
      ["key.revoked", key.id, "renamed"],
      ["key.created", rolled.id, "renamed"],
      ["key.rolled", key.id, "renamed"],
      ["key.updated", key.id, "renamed"],
      ["key.created", key.id, "audited"],
      ["account.signed_up", null, null],
    ]);
    const keyEvents = items.filter((event) => event.event.startsWith("key."));
    for (const event of keyEvents) {
      expect(event).toMatchObject({ actor: { type: "access_token", key_id: null }, client_address: "198.51.100.7", user_agent: "Mozilla/5.0 (test)" });
    }
    expect(items.find((event) => event.event === "key.updated")?.details).toEqual({ changed: ["name", "scopes"], scopes: ["keys:read"] });
    expect(items.find((event) => event.event === "key.rolled")?.details).toMatchObject({ new_key_id: rolled.id, grace_seconds: 60 });
    expect(items.find((event) => event.event === "key.revoked")?.details).toEqual({ ended_grace: true });
    expect(items.find((event) => event.event === "key.created" && event.key_id === key.id)?.details).toEqual({ scopes: ["keys:read", "keys:write"], expires_at: null, rate_limit_per_minute: 100, remaining: null, refill: null });
    const text = JSON.stringify(items);
    expect(text).not.toContain(key.key);
    expect(text).not.toContain(rolled.key);
  });

  test("a key acting on the account is recorded as actor api_key with its id", async () => {
    const owner = await ownerPrincipal();
    const parent = await create(owner, { name: "parent", scopes: ["keys:read", "keys:write"] });
    const asKey = await keyPrincipal(parent.key);
    const child = await create(asKey, { name: "child", scopes: ["keys:read"] });
    const [event] = (await list(owner, { key_id: child.id })).items;
    expect(event).toMatchObject({ event: "key.created", actor: { type: "api_key", key_id: parent.id }, client_address: "192.0.2.50" });
  });

  test("a key's first VALID verification is recorded once as key.first_used by the system", async () => {
    const owner = await ownerPrincipal();
    const key = await create(owner, { name: "first" });
    await verifyApiKey(key.key);
    await verifyApiKey(key.key);
    await usage.flush();
    await verifyApiKey(key.key);
    await usage.flush();
    const { items } = await list(owner, { event: "key.first_used" });
    expect(items.map((event) => [event.event, event.key_id, event.actor.type])).toEqual([["key.first_used", key.id, "system"]]);
  });

  test("pages of `limit` events chain by nextCursor to the oldest without repeats; event and key_id narrow; another owner sees none of it", async () => {
    const owner = await ownerPrincipal();
    const keys = [];
    for (let i = 0; i < 5; i += 1) keys.push(await create(owner, { name: `k${i}` }));
    await revokeApiKey({ principal: owner, id: keys[2]?.id ?? 0, now: new Date() });

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await list(owner, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((event) => event.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    // 5 created, 1 revoked, the sign-up
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort((a, b) => Number(BigInt(b) - BigInt(a)))).toEqual(seen);

    expect((await list(owner, { event: "key.revoked" })).items.map((event) => event.key_id)).toEqual([keys[2]?.id]);
    expect((await list(owner, { key_id: keys[2]?.id })).items.map((event) => event.event)).toEqual(["key.revoked", "key.created"]);

    const stranger = await ownerPrincipal();
    expect((await list(stranger, { key_id: keys[2]?.id })).items).toEqual([]);
    expect((await list(stranger)).items.map((event) => event.event)).toEqual(["account.signed_up"]);
  });

  test("a cursor that is not an event id is refused with 400 naming the cursor field", async () => {
    const owner = await ownerPrincipal();
    await expect(list(owner, { cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "BAD_REQUEST", details: { fields: { cursor: [expect.stringContaining("cursor is not one this log gave out")] } } });
  });

  test("a key event is written in the change's transaction: a failed audit insert leaves the key uncreated", async () => {
    const owner = await ownerPrincipal();
    await getDb().$executeRawUnsafe(`ALTER TABLE audit_events ADD CONSTRAINT audit_fail_test CHECK (key_name IS DISTINCT FROM 'refused-by-test')`);
    try {
      await expect(create(owner, { name: "refused-by-test" })).rejects.toThrow();
      expect(await getDb().apiKey.count({ where: { userId: owner.user.id, name: "refused-by-test" } })).toBe(0);
    } finally {
      await getDb().$executeRawUnsafe(`ALTER TABLE audit_events DROP CONSTRAINT audit_fail_test`);
    }
  });
});
