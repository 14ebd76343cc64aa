import { reportLeakedKeys } from "@keysmith/core";
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";

import { signedUpCaller } from "./helpers.ts";

const reporter = { address: "192.0.2.77", userAgent: null };

describe("apiKeys.leaks and apiKeys.acknowledgeLeaks", () => {
  test("leaks lists the caller's leaked keys with where they were found, newest first; acknowledging some removes only those, and they stay revoked and marked leaked", async () => {
    const { caller } = await signedUpCaller();
    const first = await caller.apiKeys.create({ name: "first" });
    const second = await caller.apiKeys.create({ name: "second" });
    await caller.apiKeys.create({ name: "kept" });
    await reportLeakedKeys({ input: { keys: [first.key], url: "https://paste.example/1" }, client: reporter, now: new Date(Date.now() - 1000) });
    await reportLeakedKeys({ input: { keys: [second.key] }, client: reporter, now: new Date() });

    const leaks = await caller.apiKeys.leaks();
    expect(leaks.map((key) => [key.name, key.status, key.leak?.source, key.leak?.url])).toEqual([
      ["second", "revoked", "report", null],
      ["first", "revoked", "report", "https://paste.example/1"],
    ]);

    await expect(caller.apiKeys.acknowledgeLeaks({ ids: [first.id] })).resolves.toEqual({ acknowledged: 1 });
    expect((await caller.apiKeys.leaks()).map((key) => key.name)).toEqual(["second"]);
    const acknowledged = await caller.apiKeys.get({ id: first.id });
    expect(acknowledged.status).toBe("revoked");
    expect(acknowledged.leak).toMatchObject({ source: "report", acknowledged: true });
    await expect(caller.apiKeys.acknowledgeLeaks({ ids: [first.id] })).resolves.toEqual({ acknowledged: 0 });
  });

  test("acknowledging another user's leaked key changes nothing: it stays in their banner", async () => {
    const owner = await signedUpCaller();
    const other = await signedUpCaller();
    const key = await owner.caller.apiKeys.create({ name: "theirs" });
    await reportLeakedKeys({ input: { keys: [key.key] }, client: reporter, now: new Date() });
    await expect(other.caller.apiKeys.acknowledgeLeaks({ ids: [key.id] })).resolves.toEqual({ acknowledged: 0 });
    expect((await owner.caller.apiKeys.leaks()).map((leaked) => leaked.id)).toEqual([key.id]);
  });

  test("acknowledgeLeaks with no ids is BAD_REQUEST", async () => {
    const { caller } = await signedUpCaller();
    await expect(caller.apiKeys.acknowledgeLeaks({ ids: [] })).rejects.toSatisfy((error) => error instanceof TRPCError && error.code === "BAD_REQUEST");
  });
});
