import { randomBytes } from "node:crypto";

import { generateApiKey } from "@keysmith/auth";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, test } from "vitest";

import { appRouter, createContextInner } from "../src/index.ts";
import { signedUpCaller } from "./helpers.ts";

describe("apiKeys.import", () => {
  test("stores the keys and answers them in the order given, the foreign one verifying VALID; over HTTP a nameless item is BAD_REQUEST whose fieldErrors name keys[1].name, storing nothing", async () => {
    const { caller, principal } = await signedUpCaller();
    const foreign = `acme_${randomBytes(24).toString("base64url")}`;
    const native = generateApiKey();

    const imported = await caller.apiKeys.import({ keys: [{ key: foreign, name: "foreign", scopes: ["keys:read"] }, { key: native, name: "native" }] });
    expect(imported).toEqual({
      imported: 2,
      keys: [
        { id: expect.any(Number), name: "foreign", prefix: foreign.slice(0, 7) },
        { id: expect.any(Number), name: "native", prefix: native.slice(0, 7) },
      ],
    });
    expect(await caller.apiKeys.verify({ key: foreign })).toMatchObject({ valid: true, code: "VALID", id: imported.keys[0]?.id, scopes: ["keys:read"] });

    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router: appRouter,
      req: new Request("http://localhost/api/trpc/apiKeys.import", {
        method: "POST",
        body: JSON.stringify({ keys: [{ key: `acme_${randomBytes(24).toString("base64url")}`, name: "fine" }, { key: `acme_${randomBytes(24).toString("base64url")}` }] }),
        headers: { "content-type": "application/json" },
      }),
      createContext: () => createContextInner({ principal, clientAddress: "198.18.0.3" }),
    });
    const body = (await response.json()) as { error?: { message: string; data: { code: string; fieldErrors: Record<string, string[]> | null } } };
    expect(body.error?.data.code).toBe("BAD_REQUEST");
    expect(body.error?.data.fieldErrors).toEqual({ "keys[1].name": ["Name is required."] });
    expect(body.error?.message).toBe("No key was imported: 1 of 2 cannot be imported as given. keys[1].name: Name is required.");
    expect((await caller.apiKeys.list()).items.map((key) => key.name)).toEqual(["native", "foreign"]);
  });

  test("over HTTP, an empty name, an expiry in the past and the same key twice are one BAD_REQUEST whose fieldErrors name keys[0].name, keys[1].expires_at and keys[3], storing nothing", async () => {
    const { caller, principal } = await signedUpCaller();
    const twice = `acme_${randomBytes(24).toString("base64url")}`;
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router: appRouter,
      req: new Request("http://localhost/api/trpc/apiKeys.import", {
        method: "POST",
        body: JSON.stringify({
          keys: [
            { key: `acme_${randomBytes(24).toString("base64url")}`, name: "" },
            { key: `acme_${randomBytes(24).toString("base64url")}`, name: "past", expires_at: new Date(Date.now() - 60_000).toISOString() },
            { key: twice, name: "first copy" },
            { key: twice, name: "second copy" },
          ],
        }),
        headers: { "content-type": "application/json" },
      }),
      createContext: () => createContextInner({ principal, clientAddress: "198.18.0.4" }),
    });
    const body = (await response.json()) as { error?: { message: string; data: { code: string; fieldErrors: Record<string, string[]> | null } } };
    expect(body.error?.data.code).toBe("BAD_REQUEST");
    expect(body.error?.data.fieldErrors).toEqual({
      "keys[0].name": ["Name is required: give the key a name you will recognise."],
      "keys[1].expires_at": ["expires_at must be in the future."],
      "keys[3]": ["This is the same key as keys[2]: each key can be imported once."],
    });
    expect((await caller.apiKeys.list()).items).toEqual([]);
  });
});
