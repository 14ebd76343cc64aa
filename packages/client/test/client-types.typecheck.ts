/**
 * Checked by `tsc --noEmit` (the package's typecheck), never run: each
 * `@ts-expect-error` line must fail to compile, so a wrong input, a missing
 * field or an unknown procedure is caught before it reaches Keysmith. The
 * IsAny checks fail if the router's types ever decay to `any` (which would
 * make every `@ts-expect-error` above them an error of its own, too).
 */
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- the @ts-expect-error lines call procedures that do not exist, on purpose */
import express from "express";
import { Hono } from "hono";
import { expectTypeOf } from "vitest";

import { createKeysmithClient, type KeysmithClientError, type VerifiedKey, type VerifyResult } from "../src/index.ts";
import { keysmithExpress, keysmithKey } from "../src/express.ts";
import { keysmith, type KeysmithEnv } from "../src/hono.ts";
import { withKeysmith } from "../src/next.ts";

type IsAny<T> = 0 extends 1 & T ? true : false;
const notAny = <T>(_value: T, isAny: IsAny<T>) => isAny;

export async function clientTypes() {
  const client = createKeysmithClient({ url: "http://keysmith.test", apiKey: "ak_x" });

  const created = await client.apiKeys.create.mutate({ name: "typed", scopes: ["keys:read"] });
  const key: string = created.key;
  const id: number = created.id;
  notAny(created, false);
  notAny(created.key, false);
  expectTypeOf(created.key).toEqualTypeOf<string>();
  expectTypeOf(created).toEqualTypeOf<{ id: number; key: string; name: string; description: string | null }>();

  // @ts-expect-error -- name must be a string
  await client.apiKeys.create.mutate({ name: 42 });
  // @ts-expect-error -- name is required
  await client.apiKeys.create.mutate({ description: "no name" });
  // @ts-expect-error -- no such procedure
  await client.apiKeys.nope.query();
  // @ts-expect-error -- create is a mutation, not a query
  await client.apiKeys.create.query({ name: "x" });
  // @ts-expect-error -- the output has no `secret`
  const secret: string = created.secret;

  const page = await client.apiKeys.list.query({ limit: 5 });
  expectTypeOf(page.items[0]?.scopes).toEqualTypeOf<("keys:read" | "keys:write" | "keys:verify")[] | undefined>();
  expectTypeOf(page.nextCursor).not.toBeAny();

  const verified = await client.verifyKey(key, { scopes: ["keys:read"], cost: 1 });
  expectTypeOf(verified).toEqualTypeOf<VerifyResult>();
  expectTypeOf(verified.code).toEqualTypeOf<"VALID" | "MALFORMED" | "NOT_FOUND" | "EXPIRED" | "REVOKED" | "INSUFFICIENT_SCOPE" | "RATE_LIMITED" | "USAGE_EXCEEDED">();
  // @ts-expect-error -- not one of the scopes
  await client.verifyKey(key, { scopes: ["admin"] });
  // a readonly list (`as const`, a frozen config) is taken as it is
  const READ_ONLY = ["keys:read"] as const;
  await client.verifyKey(key, { scopes: READ_ONLY });
  keysmith({ url: "http://keysmith.test", apiKey: "ak_x", scopes: READ_ONLY });

  // @ts-expect-error -- a client needs an apiKey or a token
  createKeysmithClient({ url: "http://keysmith.test" });

  return { id, secret };
}

export function errorTypes(error: KeysmithClientError) {
  expectTypeOf(error.code).toEqualTypeOf<KeysmithClientError["code"]>();
  expectTypeOf(error.status).toEqualTypeOf<number | null>();
  expectTypeOf(error.fieldErrors).toEqualTypeOf<Record<string, string[]> | null>();
  notAny(error.code, false);
  // @ts-expect-error -- codes are tRPC's keys, not any string
  const code: typeof error.code = "NOT_A_CODE";
  return code;
}

export function middlewareTypes() {
  const options = { url: "http://keysmith.test", apiKey: "ak_x", scopes: ["keys:read" as const] };

  const hono = new Hono();
  hono.get("/hono", keysmith(options), (c) => {
    const key = c.get("keysmith");
    expectTypeOf(key).toEqualTypeOf<VerifiedKey>();
    return c.json({ id: key.id });
  });

  // the README's three-line forms: app-wide, the key typed in every route
  const honoApp = new Hono<KeysmithEnv>();
  honoApp.use("/api/*", keysmith(options));
  honoApp.get("/api/me", (c) => c.json({ owner: c.get("keysmith").owner_id }));
  const expressApp = express();
  expressApp.use("/api", keysmithExpress(options));
  expressApp.get("/api/me", (req, res) => res.json({ owner: req.keysmith?.owner_id }));

  const app = express();
  app.get("/express", keysmithExpress(options), (req, res) => {
    expectTypeOf(req.keysmith).toEqualTypeOf<VerifiedKey | undefined>();
    expectTypeOf(res.locals.keysmith).toEqualTypeOf<VerifiedKey | undefined>();
    res.json({ id: keysmithKey(req).id });
  });

  const GET = withKeysmith(options, (_request, context: { params: Promise<{ id: string }> }, key) => {
    expectTypeOf(key).toEqualTypeOf<VerifiedKey>();
    return Response.json({ id: key.id, context });
  });
  expectTypeOf(GET).parameters.toEqualTypeOf<[Request, { params: Promise<{ id: string }> }]>();

  // @ts-expect-error -- not one of the scopes
  keysmith({ ...options, scopes: ["keys:admin"] });
  // @ts-expect-error -- a client or a url, not both
  keysmith({ client: createKeysmithClient(options), url: "http://keysmith.test", apiKey: "ak_x" });
}
