import { usage, verifyApiKey } from "@keysmith/auth";
import { describe, expect, test } from "vitest";

import { signedUpCaller } from "./helpers.ts";

describe("auditLog.list", () => {
  test("answers the caller's events newest first, with the web session as actor; key_id narrows to one key's events", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "watched" });
    await caller.apiKeys.revoke({ id: created.id });
    const page = await caller.auditLog.list();
    expect(page.items.map((event) => [event.event, event.actor.type])).toEqual([
      ["key.revoked", "web_session"],
      ["key.created", "web_session"],
      ["account.signed_up", "anonymous"],
    ]);
    expect(page.nextCursor).toBeNull();
    const forKey = await caller.auditLog.list({ key_id: created.id, limit: 1 });
    expect(forKey.items.map((event) => event.event)).toEqual(["key.revoked"]);
    expect(forKey.nextCursor).not.toBeNull();
  });

  test("an event name that is not one is refused as BAD_REQUEST", async () => {
    const { caller } = await signedUpCaller();
    await expect(caller.auditLog.list({ event: "key.exploded" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("apiKeys.usageSummary", () => {
  test("sums the caller's keys' verifications by outcome, with per-point totals for the keys named", async () => {
    const { caller } = await signedUpCaller();
    const created = await caller.apiKeys.create({ name: "summed", scopes: ["keys:read"] });
    await verifyApiKey(created.key);
    await verifyApiKey(created.key, { requiredScopes: ["keys:write"] });
    await usage.flush();
    const summary = await caller.apiKeys.usageSummary({ key_ids: [created.id] });
    expect(summary.totals).toEqual({ VALID: 1, INSUFFICIENT_SCOPE: 1 });
    expect(summary.keys).toEqual([expect.objectContaining({ id: created.id, total: 2 })]);
  });
});
