import { describe, expect, test } from "vitest";

import { signedUpCaller } from "./helpers.ts";

describe("apiKeys.list pages, apiKeys.get and apiKeys.update through the router", () => {
  test("list answers 25 keys a page by default and the cursor fetches the rest; search narrows every page, and status=revoked finds none of these live keys", async () => {
    const { caller } = await signedUpCaller();
    for (let i = 0; i < 27; i += 1) await caller.apiKeys.create({ name: i % 2 === 0 ? `even ${i}` : `odd ${i}` });

    const first = await caller.apiKeys.list();
    expect(first.items).toHaveLength(25);
    const second = await caller.apiKeys.list({ cursor: first.nextCursor ?? "missing" });
    expect(second).toMatchObject({ nextCursor: null });
    expect(second.items).toHaveLength(2);

    const evens = await caller.apiKeys.list({ search: "EVEN", limit: 10 });
    const rest = await caller.apiKeys.list({ search: "EVEN", limit: 10, cursor: evens.nextCursor ?? "missing" });
    expect([...evens.items, ...rest.items].map((key) => key.name).every((name) => name.startsWith("even"))).toBe(true);
    expect(evens.items.length + rest.items.length).toBe(14);
    expect((await caller.apiKeys.list({ status: "revoked" })).items).toEqual([]);
  });

  test("list refuses a limit over 100 and an unknown status with BAD_REQUEST naming the field", async () => {
    const { caller } = await signedUpCaller();
    await expect(caller.apiKeys.list({ limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/limit must be a whole number from 1 to 100/) });
    await expect(caller.apiKeys.list({ status: "lost" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/status must be one of active/) });
  });

  test("update renames and narrows; get shows the change and the lineage after a roll", async () => {
    const { caller } = await signedUpCaller();
    const key = await caller.apiKeys.create({ name: "before", scopes: ["keys:read", "keys:verify"] });
    expect(await caller.apiKeys.update({ id: key.id, name: "after", scopes: ["keys:verify"] })).toMatchObject({ name: "after", scopes: ["keys:verify"] });
    await expect(caller.apiKeys.update({ id: key.id, scopes: ["keys:write"] })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const rolled = await caller.apiKeys.roll({ id: key.id, grace_seconds: 60 });
    expect(await caller.apiKeys.get({ id: key.id })).toMatchObject({ name: "after", status: "rolling", replacedBy: { id: rolled.id } });
    expect(await caller.apiKeys.get({ id: rolled.id })).toMatchObject({ replaces: { id: key.id, name: "after" } });
  });

  test("get and update of another user's key are NOT_FOUND", async () => {
    const alice = await signedUpCaller();
    const bob = await signedUpCaller();
    const key = await alice.caller.apiKeys.create({ name: "alice's" });
    await expect(bob.caller.apiKeys.get({ id: key.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.apiKeys.update({ id: key.id, name: "bob's" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
