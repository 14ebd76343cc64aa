/**
 * Hostile input against every REST route and every tRPC procedure, through
 * the one handler both apps serve, on the real test database. Whatever is
 * sent, the answer is never a 5xx, always the documented shape, and never
 * shows a secret it should not. The seed is printed; replay a run with
 * KEYSMITH_FUZZ_SEED=<seed> (CI runs one fixed seed and one random seed).
 * KEYSMITH_FUZZ_STATS=1 prints how often each route and procedure succeeded.
 */
import { appRouter } from "@keysmith/api";
import { createSession, generateApiKey } from "@keysmith/auth";
import { SessionKind } from "@keysmith/db";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  buildRequest,
  type CredentialChoice,
  credentialChoice,
  type EncodedBody,
  encodedBody,
  expectDocumented,
  expectEnvelope,
  expectHeadAnswer,
  expectNo5xx,
  expectNoSecretLeak,
  expectTrpcResponse,
  Fixtures,
  fuzzSeeds,
  headerText,
  hostileJson,
  hostileString,
  type IdChoice,
  idChoice,
  INPUTS,
  jsonText,
  ledger,
  ODD_METHODS,
  PLACEHOLDER_KEY,
  type Outgoing,
  randomSecret,
  requestCount,
  routes,
  send,
  sendRequest,
  type Sent,
  type TrpcAnswers,
  VALID,
} from "./hostile-helpers.ts";

const SEEDS = fuzzSeeds();
console.log(`hostile-input: fast-check seeds ${SEEDS.join(", ")} (replay one with KEYSMITH_FUZZ_SEED=<seed>)`);

/** Cases per property: about 2,700 in all, the argon2-heavy logins and sign-ups a small share. */
const RUNS = { rest: 750, trpc: 750, credentials: 90, poison: 400, paths: 700 };

/** Runs `property` for each seed, the cases shared between them, naming the seed of a failure. */
async function check<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  for (const seed of SEEDS) {
    try {
      await fc.assert(property, { seed, numRuns: Math.ceil(numRuns / SEEDS.length) });
    } catch (error) {
      if (error instanceof Error) error.message = `Replay with KEYSMITH_FUZZ_SEED=${seed}.\n${error.message}`;
      throw error;
    }
  }
}

let fx: Fixtures;
const started = Date.now();

beforeAll(async () => {
  fx = await Fixtures.make();
}, 60_000);

afterAll(() => {
  console.log(`hostile-input: ${requestCount()} requests in ${((Date.now() - started) / 1000).toFixed(1)} s with seeds ${SEEDS.join(", ")}`);
});

/** Mixed case, as Chrome's are: a boundary is case-sensitive, and a reader that lower-cases it cannot find the parts. */
const BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

/** The real key a verify body's placeholder becomes. */
type KeyToVerify = "all" | "revoked" | "deleted" | "limited" | "victim" | "unknown" | "as-generated";
const keyToVerify = fc.constantFrom<KeyToVerify>("all", "revoked", "deleted", "limited", "victim", "unknown", "as-generated");

async function realKey(choice: KeyToVerify): Promise<string> {
  switch (choice) {
    case "all":
    case "revoked":
    case "deleted":
    case "limited":
      return fx.keys[choice].key;
    case "victim":
      return (await fx.victim()).key;
    case "unknown": {
      const key = generateApiKey();
      ledger.add(key, "key");
      return key;
    }
    case "as-generated":
      return PLACEHOLDER_KEY;
  }
}

/** One case in ten comes from the address cases share, whose throttles fill up (429 with Retry-After). */
const sometimesShared = fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

/** Credentials weighted towards ones that get past authentication, so routes are exercised beyond 401. */
const weightedCredential: fc.Arbitrary<CredentialChoice> = fc.oneof(
  { weight: 3, arbitrary: credentialChoice.map((choice) => ({ ...choice, kind: "token" as const })) },
  { weight: 2, arbitrary: credentialChoice.map((choice) => ({ ...choice, kind: "key-all" as const })) },
  { weight: 1, arbitrary: credentialChoice.map((choice) => ({ ...choice, kind: "cookie" as const })) },
  { weight: 5, arbitrary: credentialChoice },
);

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

// ---------------------------------------------------------------------------

describe("the fuzzed surface is the whole surface", () => {
  test("every REST route of the table has a generator of its body, and no generator names a route that is gone", () => {
    expect(Object.keys(REST_INPUTS).sort()).toEqual(routes.map(routeKey).sort());
  });

  test("every tRPC procedure of the router has a generator of its input, and no generator names a procedure that is gone", () => {
    expect(Object.keys(PROCEDURE_INPUTS).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  });
});

describe("the secret check itself", () => {
  const answer = (text: string, headers: [string, string][] = []): Sent => ({ status: 200, headers: new Headers(headers), text });

  test("fails on a known key whole or any 16 characters of it, a known token in a header, and a key or live token a response should not issue", async () => {
    const key = fx.keys.all.key;
    await expect(expectNoSecretLeak(answer(`{"data":"${key}"}`), {}, "whole key")).rejects.toThrow(/the body shows a secret/);
    await expect(expectNoSecretLeak(answer(`…${key.slice(12, 28)}…`), {}, "piece of a key")).rejects.toThrow(/the body shows a secret/);
    await expect(expectNoSecretLeak(answer("{}", [["x-debug", fx.setupToken]]), {}, "token")).rejects.toThrow(/a header shows a secret/);
    await expect(expectNoSecretLeak(answer(`"${generateApiKey()}"`), {}, "new key")).rejects.toThrow(/issues no key/);
    const { token } = await createSession(fx.bob.id, SessionKind.ACCESS_TOKEN, new Date());
    await expect(expectNoSecretLeak(answer(`"${token}"`), {}, "new token")).rejects.toThrow(/logs no one in/);
  });

  test("passes text that is merely shaped like a token but names no session", async () => {
    await expect(expectNoSecretLeak(answer('"abcdefghijkmnopqrstuvwxy.abcdefghijkmnopqrstuvwxy"'), {}, "shape")).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// REST

const REST_INPUTS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  "POST /login": INPUTS.login,
  "POST /logout": INPUTS.none,
  "POST /api-keys": INPUTS.create,
  "GET /api-keys": INPUTS.none,
  "POST /api-keys/verify": INPUTS.verify,
  "POST /api-keys/import": INPUTS.importKeys,
  "GET /api-keys/:id": INPUTS.none,
  "GET /api-keys/:id/usage": INPUTS.none,
  "PATCH /api-keys/:id": INPUTS.update,
  "DELETE /api-keys/:id": INPUTS.none,
  "POST /api-keys/:id/revoke": INPUTS.none,
  "POST /api-keys/:id/roll": INPUTS.roll,
  "GET /usage": INPUTS.none,
  "GET /audit-log": INPUTS.none,
  "GET /openapi.json": INPUTS.none,
  "POST /api-keys/report-leak": INPUTS.reportLeak,
  // unsigned (the fuzz holds no GitHub key), so always refused: packages/rest's leaks tests sign theirs
  "POST /secret-scanning/github": INPUTS.none,
};

/** What Request does to a method: the six standard ones are upper-cased, others kept as written. */
function normalizedMethod(method: string): string {
  const upper = method.toUpperCase();
  return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].includes(upper) ? upper : method;
}

async function idSegment(choice: IdChoice): Promise<string> {
  if (choice.kind === "victim") return String((await fx.victim()).id);
  if (choice.kind === "other-user") return String(fx.bobKeyId);
  return choice.segment;
}

function withKey(body: EncodedBody, key: string): EncodedBody {
  return typeof body.body === "string" ? { ...body, body: body.body.replaceAll(PLACEHOLDER_KEY, key) } : body;
}

/** A raw id segment must not name a small id: a case would delete, revoke or roll a key the others authenticate with. */
function sparesFixtures(choice: IdChoice): boolean {
  if (choice.kind !== "raw") return true;
  let decoded: string;
  try {
    decoded = decodeURIComponent(choice.segment);
  } catch {
    return true;
  }
  return !/^\d{1,7}$/.test(decoded);
}

/** Routes that take a body are picked more often: that is where hostile input gets in. */
const routeWeight = (key: string) => (key === "POST /api-keys" || key === "POST /api-keys/verify" ? 3 : key === "POST /api-keys/:id/roll" ? 2 : 1);

/** A credential that can do everything: well-formed cases use one. */
const ableCredential = credentialChoice.chain((choice) => fc.constantFrom("token" as const, "key-all" as const, "cookie" as const).map((kind) => ({ ...choice, kind })));

const REST_VALID: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  "POST /api-keys": VALID.create,
  "POST /api-keys/verify": VALID.verify,
  "POST /api-keys/:id/roll": VALID.roll,
  "PATCH /api-keys/:id": VALID.update,
  "POST /api-keys/report-leak": VALID.reportLeak,
  "POST /api-keys/import": VALID.importKeys,
};

const restRoute = fc.oneof(...routes.filter((route) => route.path !== "/login").map((route) => ({ weight: routeWeight(routeKey(route)), arbitrary: fc.constant(routeKey(route)) })));

/**
 * One case in five is well-formed (the route's method, a valid body, a fresh
 * key to act on, a credential that may): they make the states (rolled,
 * revoked, rate-limited keys) that the hostile cases then run into, and keep
 * every route's success path under the same checks.
 */
const wellFormedRestCase = restRoute.chain((key) =>
  fc.record({
    route: fc.constant(key),
    method: fc.constant(key.split(" ")[0] ?? "GET"),
    id: fc.constant<IdChoice>({ kind: "victim" }),
    body: (REST_VALID[key] ?? fc.constant({})).map((fields): EncodedBody => ({ body: JSON.stringify(fields), headers: [["content-type", "application/json"]], how: "json" })),
    credential: ableCredential,
    key: keyToVerify,
    query: fc.constant(null),
    shared: fc.constant(false),
  }),
);

const fuzzedRestCase = restRoute.chain((key) =>
  fc.record({
    route: fc.constant(key),
    method: fc.oneof({ weight: 9, arbitrary: fc.constant<string>(key.split(" ")[0] ?? "GET") }, { weight: 1, arbitrary: fc.constantFrom<string>(...ODD_METHODS) }),
    id: idChoice.filter(sparesFixtures),
    body: encodedBody(REST_INPUTS[key] ?? INPUTS.none),
    credential: weightedCredential,
    key: keyToVerify,
    // the list reads search, status, sort, limit and cursor; every route gets them
    query: fc.option(
      fc.constantFrom("?", "?x=1", "?id=1&id=2", "?%ZZ", "?name=%00", "?__proto__[x]=1", "?limit=0", "?limit=2", "?limit=1e2", "?status=lost", "?sort=%00", "?cursor=eyJ9", "?cursor=%FF", "?search=%25_%5C", "?search=%F0%9F%98%80&status=revoked&sort=last_used", "?interval=week", "?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z", "?interval=minute&from=2020-01-01T00:00:00Z", "?key_ids=1,2,x", "?key_ids=-424242", "?event=key.revoked&key_id=-424242", "?event=%00", "?cursor=99999999999999999999"),
      { freq: 5 },
    ),
    shared: sometimesShared,
  }),
);

const restCase = fc.oneof({ weight: 1, arbitrary: wellFormedRestCase }, { weight: 4, arbitrary: fuzzedRestCase });

describe("REST: every route, hostile bodies, ids, methods and credentials", () => {
  test(
    "never a 5xx; always the documented envelope, status, data and headers; no secret shown but the one a create or roll issues",
    async () => {
      const outcomes = new Map<string, number[]>();
      await check(
        fc.asyncProperty(restCase, async ({ route: chosen, method, id, body, credential, key, query, shared }) => {
          const route = routes.find((r) => routeKey(r) === chosen);
          if (!route) return expect.fail(`no route ${chosen}`);
          const segment = route.path.includes(":id") ? await idSegment(id) : "";
          const path = route.path.replace(":id", segment);
          const target = `/api/v1${path}${query ?? ""}`;
          const sentBody = route.path === "/api-keys/verify" ? withKey(body, await realKey(key)) : body;
          const outgoing: Outgoing = {
            method,
            target,
            shared,
            headers: [...(await fx.headersFor(credential)), ...sentBody.headers],
            ...(sentBody.body === undefined ? {} : { body: sentBody.body }),
          };
          const sent = await send(outgoing);
          const where = `${method} ${target} (${credential.kind}, ${sentBody.how})`;
          expectNo5xx(sent, where);
          // the URL parser resolves "%2e%2e" and friends, and an empty id collapses into the parent path:
          // then the request names another path, and is checked as any other
          const parsedPath = new URL(`http://localhost${target}`).pathname;
          const named = parsedPath === `/api/v1${path}` && !(route.path.includes(":id") && segment === "");
          if (normalizedMethod(method) === "HEAD") {
            expectHeadAnswer(sent, where);
          } else if (normalizedMethod(method) === route.method && named) {
            expectDocumented(sent, route, where);
          } else {
            expectEnvelope(sent, where);
          }
          const issuer = route.method === "POST" && (route.path === "/api-keys" || route.path === "/api-keys/:id/roll");
          await expectNoSecretLeak(sent, { keysInBody: () => issuer && sent.status === 201 }, where);
          outcomes.set(routeKey(route), [...(outcomes.get(routeKey(route)) ?? []), sent.status]);
        }),
        RUNS.rest,
      );
      // a fuzz that never gets past authentication or validation tests little: each route must have succeeded and failed
      // (login is fuzzed on its own below; the OpenAPI document takes no input; GitHub's alerts need its signature)
      for (const route of routes.filter((r) => !["/login", "/openapi.json", "/secret-scanning/github"].includes(r.path))) {
        const statuses = outcomes.get(routeKey(route)) ?? [];
        if (process.env.KEYSMITH_FUZZ_STATS) console.log(routeKey(route), statuses.filter((s) => s < 300).length, statuses.length);
        expect(statuses.some((status) => status < 300), `${routeKey(route)} never succeeded: ${[...new Set(statuses)].join(", ")}`).toBe(true);
        expect(statuses.some((status) => status >= 400), `${routeKey(route)} never failed: ${[...new Set(statuses)].join(", ")}`).toBe(true);
      }
    },
    60_000,
  );
});

// ---------------------------------------------------------------------------
// tRPC

/** A fresh key of alice's, to be swapped into an input's `id` when sent. */
const VICTIM = -424_242;
/** Bob's key, which alice's credentials must not reach. */
const BOBS = -434_343;

const keyId = fc.oneof(
  { weight: 6, arbitrary: fc.constant<unknown>(VICTIM) },
  { weight: 1, arbitrary: fc.constant<unknown>(BOBS) },
  { weight: 3, arbitrary: hostileJson },
);

const PROCEDURE_INPUTS: Record<string, fc.Arbitrary<unknown> | null> = {
  "apiKeys.create": INPUTS.create,
  "apiKeys.list": fc.option(
    fc.record(
      { search: fc.oneof(hostileString, fc.constant("%_\\")), status: fc.oneof(fc.constantFrom("active", "expiring", "rolling", "expired", "revoked"), hostileJson), sort: fc.oneof(fc.constantFrom("newest", "oldest", "last_used"), hostileJson), limit: fc.oneof(fc.integer({ min: -1, max: 101 }), hostileJson), cursor: fc.oneof(fc.base64String({ maxLength: 80 }), hostileJson) },
      { requiredKeys: [] },
    ),
    { nil: null },
  ),
  "apiKeys.get": fc.record({ id: keyId }),
  "apiKeys.usage": fc.record(
    { id: keyId, from: fc.oneof(fc.constantFrom("2026-06-01T00:00:00Z", "", "2026-13-01T00:00:00Z"), hostileJson), to: fc.oneof(fc.constant("2026-06-02T00:00:00Z"), hostileJson), interval: fc.oneof(fc.constantFrom("minute", "hour", "day", "week"), hostileJson) },
    { requiredKeys: ["id"] },
  ),
  "apiKeys.usageSummary": fc.option(
    fc.record({ interval: fc.oneof(fc.constantFrom("hour", "day", "week"), hostileJson), key_ids: fc.oneof(fc.array(keyId, { maxLength: 3 }), hostileJson) }, { requiredKeys: [] }),
    { nil: null },
  ),
  "auditLog.list": fc.option(
    fc.record({ event: fc.oneof(fc.constantFrom("key.created", "key.exploded"), hostileJson), key_id: keyId, limit: fc.oneof(fc.integer({ min: -1, max: 101 }), hostileJson), cursor: fc.oneof(fc.constantFrom("1", "0", "x"), hostileJson) }, { requiredKeys: [] }),
    { nil: null },
  ),
  "apiKeys.update": fc.tuple(fc.record({ id: keyId }), INPUTS.update).map(([id, update]) => ({ ...update, ...id })),
  "apiKeys.delete": fc.record({ id: keyId }),
  "apiKeys.revoke": fc.record({ id: keyId }),
  "apiKeys.roll": fc.tuple(fc.record({ id: keyId }), INPUTS.roll).map(([id, roll]) => ({ ...roll, ...id })),
  "apiKeys.verify": INPUTS.verify,
  "apiKeys.import": INPUTS.importKeys,
  "apiKeys.leaks": null,
  "apiKeys.acknowledgeLeaks": fc.record({ ids: fc.oneof(fc.array(keyId, { maxLength: 3 }), hostileJson) }),
  "auth.signUp": INPUTS.signUp,
  "auth.login": INPUTS.login,
  "auth.logout": null,
  "auth.me": null,
  "health.check": null,
};

/** Procedures that hash or check a password: the credentials property calls them, fewer times. */
const ARGON2 = new Set(["auth.signUp", "auth.login"]);

function procedureType(name: string): "query" | "mutation" {
  const procedure = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } } | undefined>)[name];
  return procedure?._def.type === "query" ? "query" : "mutation";
}

/** An integer that could be a fixture key's id moves far above every id these tests make. */
function spareFixtures(id: unknown): unknown {
  return typeof id === "number" && Number.isInteger(id) && id >= 1 && id < 10_000_000 ? id + 10_000_000 : id;
}

async function resolveInput(input: unknown, key: KeyToVerify): Promise<unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const resolved: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  const keyOf = async (id: unknown) => (id === VICTIM ? (await fx.victim()).id : id === BOBS ? fx.bobKeyId : spareFixtures(id));
  if ("id" in resolved) resolved.id = await keyOf(resolved.id);
  // the audit log's and usage summary's key filters name keys the same way
  if ("key_id" in resolved) resolved.key_id = await keyOf(resolved.key_id);
  if (Array.isArray(resolved.key_ids)) resolved.key_ids = await Promise.all(resolved.key_ids.map(keyOf));
  if (Array.isArray(resolved.ids)) resolved.ids = await Promise.all(resolved.ids.map(keyOf));
  if (resolved.key === PLACEHOLDER_KEY) resolved.key = await realKey(key);
  return resolved;
}

const procedureInput = (name: string): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: PROCEDURE_INPUTS[name] ?? fc.constant(undefined) }, { weight: 2, arbitrary: hostileJson }, { weight: 1, arbitrary: fc.constant(undefined) });

interface TrpcCase {
  names: string[];
  batch: boolean;
  inputs: unknown[];
  method: string;
  encoding: "json" | "raw" | "form" | "multipart" | "bytes";
  raw: string;
  contentType: string | undefined;
  jsonl: boolean;
  credential: CredentialChoice;
  key: KeyToVerify;
  shared: boolean;
}

/** Procedures that take text are picked more often, as REST routes are. */
function weightedProcedure(procedures: readonly string[]): fc.Arbitrary<string> {
  const weight = (name: string) => (name === "apiKeys.create" || name === "apiKeys.verify" ? 3 : name.startsWith("apiKeys.") ? 2 : 1);
  return fc.oneof(...procedures.map((name) => ({ weight: weight(name), arbitrary: fc.constant(name) })));
}

/** What each procedure accepts, for the well-formed cases. */
const PROCEDURE_VALID: Record<string, fc.Arbitrary<unknown>> = {
  "apiKeys.create": VALID.create,
  "apiKeys.delete": fc.constant({ id: VICTIM }),
  "apiKeys.revoke": fc.constant({ id: VICTIM }),
  "apiKeys.roll": VALID.roll.map((roll) => ({ ...roll, id: VICTIM })),
  "apiKeys.get": fc.constant({ id: VICTIM }),
  "apiKeys.usage": fc.constant({ id: VICTIM }),
  "apiKeys.usageSummary": fc.constant({ key_ids: [VICTIM] }),
  "auditLog.list": fc.constant({ key_id: VICTIM }),
  "apiKeys.update": VALID.update.map((update) => ({ ...update, id: VICTIM })),
  "apiKeys.verify": VALID.verify,
  "apiKeys.import": VALID.importKeys,
  "apiKeys.acknowledgeLeaks": fc.constant({ ids: [VICTIM] }),
  "auth.signUp": VALID.signUp,
  "auth.login": VALID.login,
};

/** One case in five well-formed, as for REST (see wellFormedRestCase). */
function trpcCase(procedures: readonly string[], credential: fc.Arbitrary<CredentialChoice>): fc.Arbitrary<TrpcCase> {
  const wellFormed = weightedProcedure(procedures).chain((name) =>
    fc.record({
      names: fc.constant<string[]>([name]),
      batch: fc.constant(false),
      inputs: (PROCEDURE_VALID[name] ?? fc.constant(undefined)).map((input) => [input]),
      method: fc.constant(procedureType(name) === "mutation" ? "POST" : "GET"),
      encoding: fc.constant<TrpcCase["encoding"]>("json"),
      raw: fc.constant(""),
      contentType: fc.constant<string | undefined>("application/json"),
      jsonl: fc.constant(false),
      credential: ableCredential,
      key: keyToVerify,
      shared: fc.constant(false),
    }),
  );
  return fc.oneof({ weight: 1, arbitrary: wellFormed }, { weight: 4, arbitrary: fuzzedTrpcCase(procedures, credential) });
}

function fuzzedTrpcCase(procedures: readonly string[], credential: fc.Arbitrary<CredentialChoice>): fc.Arbitrary<TrpcCase> {
  return fc
    .oneof(
      { weight: 8, arbitrary: weightedProcedure(procedures).map((name) => ({ names: [name], batch: false })) },
      { weight: 2, arbitrary: fc.array(weightedProcedure(procedures), { minLength: 1, maxLength: 12 }).map((names) => ({ names, batch: true })) },
    )
    .chain(({ names, batch }) => {
      const natural = names.some((name) => procedureType(name) === "mutation") ? "POST" : "GET";
      return fc.record({
        names: fc.constant(names),
        batch: fc.constant(batch),
        inputs: fc.tuple(...names.map(procedureInput)),
        method: fc.oneof({ weight: 9, arbitrary: fc.constant<string>(natural) }, { weight: 1, arbitrary: fc.constantFrom<string>(...ODD_METHODS) }),
        encoding: fc.oneof({ weight: 6, arbitrary: fc.constant<TrpcCase["encoding"]>("json") }, { weight: 1, arbitrary: fc.constantFrom<TrpcCase["encoding"]>("raw", "form", "multipart", "bytes") }),
        raw: fc.oneof(hostileString, fc.constantFrom("{", '{"0":', "[1,2]", '{"0": {"name": "\\ud800"}}', "%ZZ", "null", '{"json": {"name": "x"}}')),
        contentType: fc.oneof(
          { weight: 6, arbitrary: fc.constant<string | undefined>("application/json") },
          { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/octet-stream", "application/json; charset=latin1", ";") },
        ),
        jsonl: fc.boolean().map((b) => b && batch),
        credential,
        key: keyToVerify,
        shared: sometimesShared,
      });
    });
}

/** The request a tRPC case makes: `?batch=1` with inputs keyed "0", "1", …; a GET carries them in `?input=`. */
async function trpcRequest(c: TrpcCase): Promise<Outgoing> {
  const inputs = await Promise.all(c.inputs.map((input) => resolveInput(input, c.key)));
  const payload = c.batch ? Object.fromEntries(inputs.map((input, i) => [String(i), input])) : inputs[0];
  const json = JSON.stringify(payload) as string | undefined;
  const query = new URLSearchParams();
  if (c.batch) query.set("batch", "1");
  const method = normalizedMethod(c.method);
  const headers: [string, string][] = [...(await fx.headersFor(c.credential))];
  if (c.jsonl) headers.push(["trpc-accept", "application/jsonl"]);
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (method === "GET" || method === "HEAD") {
    if (c.encoding === "raw") query.set("input", c.raw);
    else if (json !== undefined) query.set("input", json);
  } else {
    if (c.contentType !== undefined) headers.push(["content-type", c.contentType]);
    if (c.encoding === "json") body = json;
    else if (c.encoding === "raw") body = c.raw;
    else if (c.encoding === "bytes") body = new Uint8Array([0xff, 0xfe, ...Buffer.from(json ?? "")]);
    else if (c.encoding === "form") body = new URLSearchParams(Object.entries(typeof payload === "object" && payload !== null ? payload : {}).map(([k, v]): [string, string] => [k, jsonText(v)])).toString();
    else body = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"\r\n\r\n${json ?? ""}\r\n--${BOUNDARY}--\r\n`;
  }
  const search = query.toString();
  return { method: c.method, target: `/api/trpc/${c.names.join(",")}${search ? `?${search}` : ""}`, headers, shared: c.shared, ...(body === undefined ? {} : { body }) };
}

const ISSUERS = new Set(["apiKeys.create", "apiKeys.roll"]);

/** Checks one tRPC answer in full and returns it; new keys may show only in create or roll results. */
async function expectTrpcCase(sent: Sent, c: TrpcCase, where: string): Promise<TrpcAnswers["items"]> {
  expectNo5xx(sent, where);
  const { items, answers, streamed } = expectTrpcResponse(sent, { method: normalizedMethod(c.method), jsonl: c.jsonl }, where);
  if (c.batch && sent.text.startsWith("[")) expect(items.length, `${where}: answers for ${c.names.length} calls`).toBe(c.names.length);
  // a streamed batch is checked more loosely: some call in it must issue keys
  const issuedBy = (text: string) =>
    streamed
      ? c.names.some((name) => ISSUERS.has(name))
      : ledger.newKeys(text).every((key) => answers.some((answer, i) => ISSUERS.has(c.names[i] ?? "") && items[i]?.ok === true && JSON.stringify(answer).includes(key)));
  await expectNoSecretLeak(
    sent,
    { keysInBody: issuedBy, tokensInCookie: c.names.some((name) => ARGON2.has(name)) && items.some((item) => item.ok) },
    where,
  );
  return items;
}

describe("tRPC: every procedure, hostile inputs, batches, methods and credentials", () => {
  test(
    "never a 5xx; always well-formed tRPC JSON whose HTTP status matches it; no secret shown but the one a create or roll issues",
    async () => {
      const outcomes = new Map<string, boolean[]>();
      const procedures = Object.keys(PROCEDURE_INPUTS).filter((name) => !ARGON2.has(name));
      await check(
        fc.asyncProperty(trpcCase(procedures, weightedCredential), async (c) => {
          const outgoing = await trpcRequest(c);
          const sent = await send(outgoing);
          const items = await expectTrpcCase(sent, c, `${outgoing.method} ${outgoing.target.slice(0, 200)} (${c.credential.kind}, ${c.encoding})`);
          items.forEach((item, i) => {
            const name = c.names[i] ?? "";
            outcomes.set(name, [...(outcomes.get(name) ?? []), item.ok]);
          });
        }),
        RUNS.trpc,
      );
      for (const name of procedures) {
        const answers = outcomes.get(name) ?? [];
        if (process.env.KEYSMITH_FUZZ_STATS) console.log(name, answers.filter(Boolean).length, answers.length);
        expect([...new Set(answers)].sort(), `${name} should have both succeeded and failed`).toEqual([false, true]);
      }
    },
    60_000,
  );
});

// ---------------------------------------------------------------------------
// logging in and signing up: argon2 on every well-formed attempt, so fewer cases

type PasswordChoice = "right" | "wrong" | "hostile";
let signUps = 0;

const credentialsCase = fc.record({
  surface: fc.constantFrom("rest-login", "rest-login", "trpc-login", "trpc-signUp"),
  who: fc.constantFrom("dave", "dave-email", "alice", "carol", "unknown", "hostile"),
  password: fc.constantFrom<PasswordChoice>("right", "wrong", "wrong", "hostile"),
  hostile: hostileString,
  signUp: INPUTS.signUp,
  body: encodedBody(INPUTS.login),
  encodeAs: fc.constantFrom("json", "json", "json", "generated"),
  crossSite: fc.constantFrom<[string, string] | undefined>(undefined, undefined, undefined, ["sec-fetch-site", "cross-site"], ["origin", "null"]),
  credential: credentialChoice,
  shared: fc.constantFrom(false, false, true),
});

describe("logging in and signing up: REST /login, auth.login, auth.signUp", () => {
  test(
    "never a 5xx and always the documented shape; the password sent never comes back; a token only in a successful login",
    async () => {
      await check(
        fc.asyncProperty(credentialsCase, async (c) => {
          // dave only ever gets his right password, so his logins keep showing the success path (a wrong one counts towards a throttle)
          const who = c.who === "dave" && c.password !== "right" ? "alice" : c.who;
          const account = new Map([["dave", fx.dave], ["dave-email", fx.dave], ["alice", fx.alice], ["carol", fx.carol]]).get(who);
          const username = who === "dave-email" ? ` ${fx.dave.email.toUpperCase()} ` : account ? account.username : who === "unknown" ? `nobody_${randomSecret(8)}` : c.hostile;
          // only the random core is a secret to look for: the hostile rest may well be echoed as part of something else
          const core = randomSecret();
          ledger.add(core);
          const wrong = `pw-${core}${c.password === "hostile" ? c.hostile : ""}`;
          const password = c.password === "right" && account ? account.password : wrong;
          const extra: [string, string][] = [...(c.crossSite ? [c.crossSite] : []), ...(await fx.headersFor(c.credential))];

          if (c.surface === "rest-login") {
            const body: EncodedBody = c.encodeAs === "generated" ? c.body : { body: JSON.stringify({ username, password }), headers: [["content-type", "application/json"]], how: "json" };
            const sent = await send({ method: "POST", target: "/api/v1/login", headers: [...extra, ...body.headers], shared: c.shared, ...(body.body === undefined ? {} : { body: body.body }) });
            const where = `POST /api/v1/login (${who}, ${c.password}, ${body.how})`;
            expectNo5xx(sent, where);
            const route = routes.find((r) => r.path === "/login");
            if (!route) return expect.fail("the route table has no /login");
            expectDocumented(sent, route, where);
            await expectNoSecretLeak(sent, { tokensInBody: sent.status === 200 }, where);
            return;
          }
          const name = c.surface === "trpc-login" ? "auth.login" : "auth.signUp";
          signUps += 1;
          const input =
            name === "auth.login"
              ? { username, password }
              : { ...c.signUp, ...(typeof c.signUp.username === "string" ? { username: `${c.signUp.username.slice(0, 20)}${signUps}` } : {}), password };
          const tc: TrpcCase = { names: [name], batch: false, inputs: [input], method: "POST", encoding: "json", raw: "", contentType: "application/json", jsonl: false, credential: c.credential, key: "all", shared: c.shared };
          const outgoing = await trpcRequest(tc);
          outgoing.headers = [...(outgoing.headers ?? []), ...(c.crossSite ? [c.crossSite] : [])];
          const sent = await send(outgoing);
          await expectTrpcCase(sent, tc, `POST ${outgoing.target} (${who}, ${c.password})`);
        }),
        RUNS.credentials,
      );
    },
    60_000,
  );
});

// ---------------------------------------------------------------------------
// poisoned text: one text field of an otherwise valid input holds a character no text field accepts

interface Poisonable {
  surface: "rest" | "trpc";
  /** A REST path under /api/v1, or a procedure name. */
  at: string;
  valid: Record<string, string>;
  field: string;
  label: string;
  /** Whether the field keeps tabs and line breaks. */
  lines?: boolean;
  auth: boolean;
}

const create = { name: "billing-job", description: "Runs nightly" };
const signUpInput = { username: "poisoned_user", email: "poisoned@example.test", name: "Poisoned User", password: "a long password" };
const loginInput = { username: "poisoned_user", password: "a long password" };
const POISONABLE: Poisonable[] = [
  { surface: "rest", at: "/login", valid: loginInput, field: "username", label: "Username", auth: false },
  { surface: "rest", at: "/login", valid: loginInput, field: "password", label: "Password", auth: false },
  { surface: "rest", at: "/api-keys", valid: create, field: "name", label: "Name", auth: true },
  { surface: "rest", at: "/api-keys", valid: create, field: "description", label: "Description", lines: true, auth: true },
  { surface: "rest", at: "/api-keys/verify", valid: { key: PLACEHOLDER_KEY }, field: "key", label: "key", auth: true },
  { surface: "trpc", at: "apiKeys.create", valid: create, field: "name", label: "Name", auth: true },
  { surface: "trpc", at: "apiKeys.create", valid: create, field: "description", label: "Description", lines: true, auth: true },
  { surface: "trpc", at: "apiKeys.verify", valid: { key: PLACEHOLDER_KEY }, field: "key", label: "key", auth: true },
  { surface: "trpc", at: "auth.signUp", valid: signUpInput, field: "username", label: "Username", auth: false },
  { surface: "trpc", at: "auth.signUp", valid: signUpInput, field: "email", label: "Email", auth: false },
  { surface: "trpc", at: "auth.signUp", valid: signUpInput, field: "name", label: "Name", auth: false },
  { surface: "trpc", at: "auth.signUp", valid: signUpInput, field: "password", label: "Password", auth: false },
  { surface: "trpc", at: "auth.login", valid: loginInput, field: "username", label: "Username", auth: false },
  { surface: "trpc", at: "auth.login", valid: loginInput, field: "password", label: "Password", auth: false },
];

/** Characters every text field refuses; tab and line feed too in one-line fields. */
const POISON = ["\u0000", "\ud800", "\udfff", "\udc00\ud800", "\u0001", "\u0008", "\u001b", "\u007f", "\u0085", "\u009f"];
const ONE_LINE_POISON = ["\t", "\n", "\r"];

describe("poisoned text fields", () => {
  test(
    "NUL, lone surrogates and control characters in any text field are a 400 naming that field and the problem, on REST and tRPC",
    async () => {
      const poisonCase = fc.constantFrom(...POISONABLE).chain((target) =>
        fc.record({
          target: fc.constant(target),
          poison: fc.constantFrom(...POISON, ...(target.lines ? [] : ONE_LINE_POISON)),
          at: fc.nat(),
          encoding: fc.constantFrom("json", "form", "multipart"),
          credential: fc.constantFrom<CredentialChoice["kind"]>("token", "key-all", "cookie"),
        }),
      );
      await check(
        fc.asyncProperty(poisonCase, async ({ target, poison, at, encoding, credential }) => {
          const value = target.valid[target.field] ?? "";
          // strictly inside the value: trimming would take a line break off either end
          const cut = 1 + (at % (value.length - 1));
          const input = { ...target.valid, [target.field]: `${value.slice(0, cut)}${poison}${value.slice(cut)}` };
          const headers = target.auth ? await fx.headersFor({ kind: credential, garbage: "", withSecretCore: false }) : [];
          const surrogate = /[\ud800-\udfff]/.test(poison);
          let sent: Sent;
          let reasons: string[] | undefined;
          if (target.surface === "rest") {
            // form data cannot carry a lone surrogate (it becomes U+FFFD): those go as JSON
            const how = surrogate ? "json" : encoding;
            const body =
              how === "json"
                ? JSON.stringify(input)
                : how === "form"
                  ? new URLSearchParams(input).toString()
                  : Object.entries(input).map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${BOUNDARY}--\r\n`;
            const type = how === "json" ? "application/json" : how === "form" ? "application/x-www-form-urlencoded" : `multipart/form-data; boundary=${BOUNDARY}`;
            sent = await send({ method: "POST", target: `/api/v1${target.at}`, headers: [...headers, ["content-type", type]], body });
            expectNo5xx(sent, target.at);
            reasons = expectEnvelope(sent, target.at).errors?.[target.field];
          } else {
            sent = await send({ method: "POST", target: `/api/trpc/${target.at}`, headers: [...headers, ["content-type", "application/json"]], body: JSON.stringify(input) });
            expectNo5xx(sent, target.at);
            const [item] = expectTrpcResponse(sent, { method: "POST", jsonl: false }, target.at).items;
            reasons = item && !item.ok ? (item.fieldErrors?.[target.field] ?? undefined) : undefined;
          }
          const where = `${target.surface} ${target.at} ${target.field} with U+${Array.from({ length: poison.length }, (_, i) => poison.charCodeAt(i).toString(16).padStart(4, "0")).join(" U+")}`;
          expect(sent.status, `${where}: ${sent.text.slice(0, 300)}`).toBe(400);
          expect(reasons, `${where}: ${sent.text.slice(0, 300)}`).toEqual([
            surrogate
              ? expect.stringMatching(new RegExp(`^${target.label} is not valid Unicode: it holds a lone surrogate`))
              : expect.stringMatching(new RegExp(`^${target.label} cannot contain control characters`)),
          ]);
        }),
        RUNS.poison,
      );
    },
    60_000,
  );
});

describe("multipart bodies as browsers send them", () => {
  test("a mixed-case boundary (Chrome's ----WebKitFormBoundary…) is read: create answers 201 with the name sent, login 200", async () => {
    const multipart = (fields: Record<string, string>) =>
      Object.entries(fields).map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${BOUNDARY}--\r\n`;
    const type: [string, string] = ["content-type", `multipart/form-data; boundary=${BOUNDARY}`];
    const created = await send({ method: "POST", target: "/api/v1/api-keys", headers: [["authorization", `Bearer ${fx.setupToken}`], type], body: multipart({ name: "from Chrome" }) });
    expect([created.status, (JSON.parse(created.text) as { data: { name?: string } | null }).data?.name]).toEqual([201, "from Chrome"]);
    await expectNoSecretLeak(created, { keysInBody: () => true }, "create");
    const login = await send({ method: "POST", target: "/api/v1/login", headers: [type], body: multipart({ username: fx.dave.username, password: fx.dave.password }) });
    expect(login.status, login.text).toBe(200);
    await expectNoSecretLeak(login, { tokensInBody: true }, "login");
  });
});

// ---------------------------------------------------------------------------
// any path, any method, odd headers

const SEGMENTS = [
  "api", "v1", "trpc", "api-keys", "login", "logout", "verify", "revoke", "roll", "openapi.json", "healthz", "readyz",
  "apiKeys.list", "apiKeys.create", "health.check", "auth.me", "auth.logout", "apiKeys.list,health.check", "1", "99999999",
  "", "%ZZ", "%", "%2", "%2F", "%2f", "%2e", "%2e%2e", "%2E%2E%2F", "..", ".", "%00", "%0A", "%ED%A0%80", "%C0%AF", "%F0%9F%94%91",
  "🔑", "a b", "%5C", "\\", ";", "@", "~", ",", "__proto__", "constructor", "toString", "x".repeat(3_000),
];
const PREFIXES = ["/api/v1/", "/api/trpc/", "/", "/api/v1", "/API/V1/", "//api/v1/", "/api/v1//", "/api/v1/%2e%2e/trpc/", "/api/trpc", "/api/trpcx/", "/api/v1x/"];

const pathCase = fc.record({
  prefix: fc.constantFrom(...PREFIXES),
  segments: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) }, { weight: 1, arbitrary: hostileString.map((s) => s.replace(/[?#]/g, "")) }), { maxLength: 4 }),
  query: fc.option(fc.oneof(fc.constantFrom("batch=1", "batch=1&input=%ZZ", "input={", "input=" + encodeURIComponent('{"0":{"id":1}}'), "%", "a=%00"), headerText.map(encodeURIComponent)), { freq: 3 }),
  method: fc.constantFrom(...ODD_METHODS),
  credential: credentialChoice,
  body: encodedBody(INPUTS.none),
  headers: fc.array(
    fc.tuple(
      fc.constantFrom("content-type", "accept", "origin", "sec-fetch-site", "trpc-accept", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "cookie", "host", "content-encoding", "transfer-encoding", "expect"),
      fc.oneof(headerText, fc.constantFrom("application/jsonl", "null", "https://evil.example", "same-origin", "cross-site", "gzip", "chunked", "100-continue", "keysmith_session=a.b; keysmith_session=c.d")),
    ),
    { maxLength: 3 },
  ),
});

describe("any path, method and headers", () => {
  test(
    "never a 5xx; REST paths answer the envelope, tRPC paths well-formed tRPC JSON, health checks JSON; no secret shown",
    async () => {
      await check(
        fc.asyncProperty(pathCase, async (c) => {
          const target = `${c.prefix}${c.segments.join("/")}${c.query === null ? "" : `?${c.query}`}`;
          const headers = [...(await fx.headersFor(c.credential)), ...c.body.headers, ...c.headers];
          const request = buildRequest({ method: c.method, target, headers, ...(c.body.body === undefined ? {} : { body: c.body.body }) });
          const sent = await sendRequest(request);
          const where = `${c.method} ${target.slice(0, 200)} (${c.credential.kind})`;
          expectNo5xx(sent, where);
          const path = new URL(request.url).pathname;
          const method = normalizedMethod(c.method);
          if (path.startsWith("/api/trpc/")) {
            const names = path.slice("/api/trpc/".length).split(",");
            const jsonl = c.headers.some(([name, value]) => (name === "trpc-accept" || name === "accept") && value.includes("application/jsonl"));
            expectTrpcResponse(sent, { method, jsonl }, where);
            await expectNoSecretLeak(sent, { keysInBody: () => names.some((name) => ISSUERS.has(name)) }, where);
          } else if (method === "HEAD") {
            expectHeadAnswer(sent, where);
            await expectNoSecretLeak(sent, {}, where);
          } else if ((path === "/healthz" || path === "/readyz") && method === "GET") {
            expect(sent.status, where).toBe(200);
            expect((JSON.parse(sent.text) as { database?: unknown }).database, where).toBe("reachable");
            await expectNoSecretLeak(sent, {}, where);
          } else if (path.replace(/\/$/, "") === "/api/v1/openapi.json" && method === "GET") {
            const openApi = routes.find((route) => route.path === "/openapi.json");
            if (!openApi) return expect.fail("the route table has no /openapi.json");
            expectDocumented(sent, openApi, where);
            await expectNoSecretLeak(sent, {}, where);
          } else {
            expectEnvelope(sent, where);
            const issues = /^\/api\/v1\/api-keys(\/[^/]+\/roll)?\/?$/.test(path) && method === "POST" && sent.status === 201;
            await expectNoSecretLeak(sent, { keysInBody: () => issues }, where);
          }
        }),
        RUNS.paths,
      );
    },
    60_000,
  );
});
