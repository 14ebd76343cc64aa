/**
 * Shared pieces of the hostile-input property tests: one in-process API
 * handler, real accounts and credentials on the test database, generators of
 * hostile input, and the checks every response must pass.
 */
import { randomBytes, randomInt } from "node:crypto";

import { apiKeyDisplayPrefix, checkApiKeyFormat, createSession, generateApiKey, hashApiKey, signUp } from "@keysmith/auth";
import { getDb, SessionKind } from "@keysmith/db";
import { documentedErrors, routes } from "@keysmith/rest";
import fc from "fast-check";
import { expect } from "vitest";

import { createApiHandler } from "../src/index.ts";

// ---------------------------------------------------------------------------
// seed and sending

/** The seed CI replays on every run, so a red build is reproducible as it stands. */
const CI_SEED = 20_240_229;

/**
 * The seeds a run uses: KEYSMITH_FUZZ_SEED replays one; CI runs the fixed
 * seed (a red build stays reproducible as it stands) and a random one (so CI
 * keeps exploring too); anywhere else every run explores a random one. The
 * caller prints them, so any failure can be replayed.
 */
export function fuzzSeeds(): number[] {
  const given = process.env.KEYSMITH_FUZZ_SEED;
  if (given !== undefined && given !== "") {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`KEYSMITH_FUZZ_SEED must be a whole number, not "${given}".`);
    return [seed];
  }
  const random = randomInt(0, 2 ** 31 - 1);
  return process.env.CI ? [CI_SEED, random] : [random];
}

const api = createApiHandler();
let requests = 0;

/** What a response said, read whole. */
export interface Sent {
  status: number;
  headers: Headers;
  text: string;
}

export interface Outgoing {
  method: string;
  /** Path and query, e.g. "/api/v1/api-keys?x=1". */
  target: string;
  headers?: [string, string][];
  body?: string | Uint8Array<ArrayBuffer>;
  /** Send from the one address cases share, so its throttles fill up and answer 429. */
  shared?: boolean;
}

/** The address shared cases come from. */
const SHARED_ADDRESS = "192.0.2.99";

/**
 * Sends one request through the same handler both apps serve. Each request
 * comes from an address of its own unless `shared`: the per-address throttles
 * (failed logins, unknown Bearer values) would otherwise turn most cases into 429s.
 */
export async function send(outgoing: Outgoing): Promise<Sent> {
  return sendRequest(buildRequest(outgoing), outgoing.shared ? SHARED_ADDRESS : undefined);
}

/** The Request a client would send; GET and HEAD carry no body. */
export function buildRequest(outgoing: Outgoing): Request {
  const carriesBody = outgoing.body !== undefined && outgoing.method.toUpperCase() !== "GET" && outgoing.method.toUpperCase() !== "HEAD";
  return new Request(`http://localhost${outgoing.target}`, {
    method: outgoing.method,
    headers: outgoing.headers ?? [],
    ...(carriesBody ? { body: outgoing.body } : {}),
  });
}

export async function sendRequest(request: Request, address?: string): Promise<Sent> {
  requests += 1;
  const n = requests;
  const clientAddress = address ?? `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const response = await api(request, { clientAddress });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export function requestCount(): number {
  return requests;
}

// ---------------------------------------------------------------------------
// secrets

/** High-entropy text made outside fast-check, so no generated input can equal it by chance. */
export function randomSecret(length = 24): string {
  return randomBytes(length).toString("base64url").slice(0, length);
}

const WINDOW = 16;
const KEY = /ak_[A-Za-z0-9_-]{43}/g;
const TOKEN = /[a-z2-9]{24}\.[a-z2-9]{24}/g;
const SECRETISH_RUN = /[A-Za-z0-9_-]{16,}/g;

/**
 * Every secret the tests have seen: keys, tokens, passwords. A response may
 * hold a secret only if it issued it (a create or roll its key, a login its
 * token); one that shows any 16 consecutive characters of an older secret,
 * or of one sent in the request, leaks it.
 */
export class SecretLedger {
  readonly #windows = new Map<string, string>();
  readonly #keys = new Set<string>();
  readonly #tokens = new Set<string>();

  /** Remembers a secret: any 16 consecutive characters of its letter, digit, '-' and '_' runs betray it. All of it must be random. */
  add(secret: string, kind: "key" | "token" | "other" = "other"): void {
    if (kind === "key") this.#keys.add(secret);
    if (kind === "token") this.#tokens.add(secret);
    for (const run of secret.match(SECRETISH_RUN) ?? []) {
      for (let i = 0; i + WINDOW <= run.length; i += 1) this.#windows.set(run.slice(i, i + WINDOW), secret);
    }
  }

  /** Secrets already known (issued earlier, or sent in this request) that `text` shows, wholly or in part; the first 12 characters of each. */
  leaked(text: string): string[] {
    const found = new Set<string>();
    for (const run of text.match(SECRETISH_RUN) ?? []) {
      for (let i = 0; i + WINDOW <= run.length; i += 1) {
        const secret = this.#windows.get(run.slice(i, i + WINDOW));
        if (secret !== undefined) found.add(`${secret.slice(0, 12)}…`);
      }
    }
    return [...found];
  }

  /** Real keys (right shape and checksum) in `text` that no one has seen yet. */
  newKeys(text: string): string[] {
    return [...new Set(text.match(KEY) ?? [])].filter((key) => checkApiKeyFormat(key) === undefined && !this.#keys.has(key));
  }

  /**
   * Tokens in `text` that no one has seen yet: token-shaped values naming a
   * real session (echoed text may be token-shaped by chance; a session is not).
   */
  async newTokens(text: string): Promise<string[]> {
    const unseen = [...new Set(text.match(TOKEN) ?? [])].filter((token) => !this.#tokens.has(token));
    if (unseen.length === 0) return [];
    const ids = unseen.map((token) => token.split(".")[0] ?? "");
    const sessions = new Set((await getDb().session.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((session) => session.id));
    return unseen.filter((token) => sessions.has(token.split(".")[0] ?? ""));
  }
}

export const ledger = new SecretLedger();

type Route = (typeof routes)[number];

function allHeaders(headers: Headers): string {
  return [...headers].map(([name, value]) => `${name}: ${value}`).join("\n");
}

/**
 * The secrets property: no known secret shows anywhere in the response, and
 * new ones show only where this kind of response issues them. New secrets
 * are then remembered, so they can never show again.
 */
export async function expectNoSecretLeak(sent: Sent, issues: { keysInBody?: (text: string) => boolean; tokensInBody?: boolean; tokensInCookie?: boolean }, where: string): Promise<void> {
  const headers = allHeaders(sent.headers);
  expect(ledger.leaked(sent.text), `${where}: the body shows a secret it must not`).toEqual([]);
  expect(ledger.leaked(headers), `${where}: a header shows a secret it must not`).toEqual([]);
  expect(ledger.newKeys(headers), `${where}: a header carries a key`).toEqual([]);

  const keys = ledger.newKeys(sent.text);
  if (keys.length > 0) expect(issues.keysInBody?.(sent.text) ?? false, `${where}: a response that issues no key carries one`).toBe(true);
  const bodyTokens = await ledger.newTokens(sent.text);
  if (bodyTokens.length > 0) expect(issues.tokensInBody ?? false, `${where}: a response that logs no one in carries a token`).toBe(true);
  const cookieTokens = await ledger.newTokens(sent.headers.getSetCookie().join("\n"));
  if (cookieTokens.length > 0) expect(issues.tokensInCookie ?? false, `${where}: a response that logs no one in sets a session cookie`).toBe(true);
  const otherHeaderTokens = await ledger.newTokens(allHeaders(new Headers([...sent.headers].filter(([name]) => name !== "set-cookie"))));
  expect(otherHeaderTokens, `${where}: a header other than Set-Cookie carries a token`).toEqual([]);

  for (const key of keys) ledger.add(key, "key");
  for (const token of [...bodyTokens, ...cookieTokens]) ledger.add(token, "token");
}

// ---------------------------------------------------------------------------
// accounts and credentials

export interface Account {
  id: number;
  username: string;
  email: string;
  password: string;
}

async function account(label: string): Promise<Account> {
  const username = `${label}_${randomSecret(6).toLowerCase().replace(/[^a-z0-9]/g, "x")}`;
  const password = `pw-${randomSecret()}`;
  ledger.add(password);
  const user = await signUp({ username, email: `${username}@example.test`, name: `Hostile ${label}`, password });
  return { id: user.id, username, email: user.email, password };
}

async function mintToken(userId: number, kind: SessionKind = SessionKind.ACCESS_TOKEN): Promise<string> {
  const { token } = await createSession(userId, kind, new Date());
  ledger.add(token, "token");
  return token;
}

export interface MadeKey {
  id: number;
  key: string;
}

async function restJson(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; data: unknown }> {
  const sent = await send({
    method,
    target: `/api/v1${path}`,
    headers: [["authorization", `Bearer ${token}`], ["content-type", "application/json"]],
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = JSON.parse(sent.text) as { data: unknown };
  return { status: sent.status, data: parsed.data };
}

async function makeKey(token: string, body: Record<string, unknown> = {}): Promise<MadeKey> {
  const created = await restJson("POST", "/api-keys", token, { name: "hostile-fixture", ...body });
  if (created.status !== 201) throw new Error(`fixture key not created: ${created.status} ${JSON.stringify(created.data)}`);
  const { id, key } = created.data as MadeKey;
  ledger.add(key, "key");
  return { id, key };
}

/** Keys made up front for cases to delete, revoke and roll: one insert instead of hundreds of creates, each a transaction. */
const VICTIM_POOL = 600;

async function victimPool(userId: number, size: number): Promise<MadeKey[]> {
  const keys = Array.from({ length: size }, () => generateApiKey());
  const rows = await getDb().apiKey.createManyAndReturn({
    data: keys.map((key) => ({ userId, name: "hostile-victim", keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key), scopes: ["keys:read", "keys:write", "keys:verify"] })),
    select: { id: true, keyHash: true },
  });
  const byHash = new Map(keys.map((key) => [Buffer.from(hashApiKey(key)).toString("hex"), key]));
  return rows.map((row) => {
    const key = byHash.get(Buffer.from(row.keyHash).toString("hex")) ?? "";
    ledger.add(key, "key");
    return { id: row.id, key };
  });
}

export type CredentialKind =
  | "none"
  | "token"
  | "cookie"
  | "cookie-cross-site"
  | "other-user-token"
  | "key-all"
  | "key-read"
  | "key-write"
  | "key-verify"
  | "key-limited"
  | "revoked-key"
  | "deleted-key"
  | "revoked-token"
  | "inactive-token"
  | "unknown-key"
  | "malformed-key"
  | "unknown-token"
  | "garbage-authorization"
  | "garbage-cookie";

const CREDENTIAL_KINDS: readonly CredentialKind[] = [
  "none",
  "token",
  "cookie",
  "cookie-cross-site",
  "other-user-token",
  "key-all",
  "key-read",
  "key-write",
  "key-verify",
  "key-limited",
  "revoked-key",
  "deleted-key",
  "revoked-token",
  "inactive-token",
  "unknown-key",
  "malformed-key",
  "unknown-token",
  "garbage-authorization",
  "garbage-cookie",
];

/** A credential as generated: its kind, and the raw text a garbage kind sends. */
export interface CredentialChoice {
  kind: CredentialKind;
  garbage: string;
  /** Garbage around a random core, so an echo of it can be caught. */
  withSecretCore: boolean;
}

/** The real users, keys and tokens the cases act with, made once per file. */
export class Fixtures {
  private constructor(
    readonly alice: Account,
    readonly bob: Account,
    /** Logs in successfully only: a wrong password on it would throttle it (5 failures in 15 minutes). */
    readonly dave: Account,
    readonly carol: Account,
    readonly setupToken: string,
    readonly keys: Record<"all" | "read" | "write" | "verify" | "limited" | "revoked" | "deleted", MadeKey>,
    readonly bobKeyId: number,
    readonly revokedToken: string,
    readonly inactiveToken: string,
    private readonly victims: MadeKey[],
  ) {}

  static async make(): Promise<Fixtures> {
    const [alice, bob, dave, carol] = [await account("alice"), await account("bob"), await account("dave"), await account("carol")];
    const setupToken = await mintToken(alice.id);
    const keys = {
      all: await makeKey(setupToken),
      read: await makeKey(setupToken, { scopes: ["keys:read"] }),
      write: await makeKey(setupToken, { scopes: ["keys:write"] }),
      verify: await makeKey(setupToken, { scopes: ["keys:verify"] }),
      limited: await makeKey(setupToken, { rate_limit_per_minute: 1 }),
      revoked: await makeKey(setupToken),
      deleted: await makeKey(setupToken),
    };
    await restJson("POST", `/api-keys/${keys.revoked.id}/revoke`, setupToken);
    await restJson("DELETE", `/api-keys/${keys.deleted.id}`, setupToken);
    const bobKey = await makeKey(await mintToken(bob.id));
    const revokedToken = await mintToken(alice.id);
    await restJson("POST", "/logout", revokedToken);
    await getDb().user.update({ where: { id: carol.id }, data: { isActive: false } });
    const inactiveToken = await mintToken(carol.id);
    return new Fixtures(alice, bob, dave, carol, setupToken, keys, bobKey.id, revokedToken, inactiveToken, await victimPool(alice.id, VICTIM_POOL));
  }

  /** A fresh key of alice's for a case to delete, revoke, roll or verify: from the pool, then made through the API. */
  async victim(): Promise<MadeKey> {
    return this.victims.pop() ?? makeKey(this.setupToken);
  }

  /** The headers a credential choice sends; tokens and web sessions are minted fresh, so a case's logout harms no other. */
  async headersFor(choice: CredentialChoice): Promise<[string, string][]> {
    const bearer = (value: string): [string, string][] => [["authorization", `Bearer ${value}`]];
    switch (choice.kind) {
      case "none":
        return [];
      case "token":
        return bearer(await mintToken(this.alice.id));
      case "other-user-token":
        return bearer(await mintToken(this.bob.id));
      case "cookie":
        return [["cookie", `theme=dark; keysmith_session=${await mintToken(this.alice.id, SessionKind.WEB)}`]];
      case "cookie-cross-site":
        return [
          ["cookie", `keysmith_session=${await mintToken(this.alice.id, SessionKind.WEB)}`],
          choice.withSecretCore ? ["sec-fetch-site", "cross-site"] : ["origin", "https://evil.example"],
        ];
      case "key-all":
        return bearer(this.keys.all.key);
      case "key-read":
        return bearer(this.keys.read.key);
      case "key-write":
        return bearer(this.keys.write.key);
      case "key-verify":
        return bearer(this.keys.verify.key);
      case "key-limited":
        return bearer(this.keys.limited.key);
      case "revoked-key":
        return bearer(this.keys.revoked.key);
      case "deleted-key":
        return bearer(this.keys.deleted.key);
      case "revoked-token":
        return bearer(this.revokedToken);
      case "inactive-token":
        return bearer(this.inactiveToken);
      case "unknown-key": {
        const key = generateApiKey();
        ledger.add(key, "key");
        return bearer(key);
      }
      case "malformed-key": {
        const key = `ak_${randomSecret(43)}`;
        ledger.add(key);
        return bearer(key);
      }
      case "unknown-token": {
        const token = `${randomTokenHalf()}.${randomTokenHalf()}`;
        ledger.add(token, "token");
        return bearer(token);
      }
      case "garbage-authorization":
        return [["authorization", this.#withCore(choice)]];
      case "garbage-cookie":
        return [["cookie", `keysmith_session=${this.#withCore(choice)}`]];
    }
  }

  #withCore(choice: CredentialChoice): string {
    if (!choice.withSecretCore) return choice.garbage;
    const core = randomSecret();
    ledger.add(core);
    return `Bearer ${core}${choice.garbage}`;
  }
}

function randomTokenHalf(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz23456789";
  return Array.from(randomBytes(24), (byte) => alphabet[byte % alphabet.length] ?? "a").join("");
}

// ---------------------------------------------------------------------------
// generators

/** Characters that have broken text handling somewhere: NUL, lone surrogates, direction marks, separators, emoji. */
const NASTY = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\udc00\ud800",
  "\u0007",
  "\u001b",
  "\u007f",
  "\u0085",
  "\u009f",
  "\t",
  "\n",
  "\r\n",
  "\u000b",
  "\u202e",
  "\u200f",
  "\u2066",
  "\u200b",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\ufffd",
  "\uffff",
  "\u0301",
  "🔑",
  "👩🏽‍💻",
  "\u{10ffff}",
  "مفتاح",
  "%00",
  "\\u0000",
  "\\",
  '"',
  "'; DROP TABLE users; --",
  "${7*7}",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "ak_",
] as const;

/** Any UTF-16 code unit, so lone surrogates and every control character turn up often. */
const codeUnit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
);

/** Text a person could mean: what a valid field holds. */
const plausibleText = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ._-]{0,30}$/);

/** What PostgreSQL or UTF-8 encoding refuses outright: NUL and lone surrogates (alone, reversed, doubled). */
const BREAKERS = ["\u0000", "\ud800", "\udfff", "\udc00\ud800", "\udbff\udbff"] as const;

const nasty = fc.oneof(fc.constantFrom(...BREAKERS), fc.constantFrom(...NASTY));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  // plausible text around one nasty character: past every check but the one that matters
  { weight: 4, arbitrary: fc.tuple(plausibleText, nasty, plausibleText).map((parts) => parts.join("")) },
  { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 2, arbitrary: plausibleText },
  // long enough to pass every limit, sometimes past the 16 KiB body cap
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("x", "é", "🔑", "\u0000", "\ud800", " "), fc.integer({ min: 60, max: 20_000 })).map(([c, n]) => c.repeat(n)) },
);

/** Numbers at and beyond every edge: ids, limits, safe integers, floats. */
const edgyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 0.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, Number.MAX_VALUE, Number.MIN_VALUE, 1_000_000, 1_000_001, 2_592_000, 2_592_001),
);

/** A JSON-able value of any type, nested a little. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    hostileString,
    edgyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom("name", "key", "id", "username", "password", "__proto__", "constructor")), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** A field's value: usually something of the right kind, often not. */
function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 3, arbitrary: hostileString }, { weight: 2, arbitrary: hostileJson });
}

/** An object with some of `shape`'s fields, plus sometimes stray ones. */
function fieldsOf(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.record(shape, { requiredKeys: [] }), fc.option(fc.dictionary(hostileString, hostileJson, { maxKeys: 2 }), { freq: 4 }))
    .map(([fields, extra]) => ({ ...(extra ?? {}), ...fields }));
}

const scopes = fc.subarray(["keys:read", "keys:write", "keys:verify"]);
const futureDate = fc.date({ min: new Date(Date.now() + 86_400_000), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());

/** The documented example key: generated verify bodies carry it, and a case may swap in a real key. */
export const PLACEHOLDER_KEY = "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0";

const validScopes = scopes.filter((list) => list.length > 0);

/** A key of another system to import: fresh each time (never a fixture's), so a well-formed import stores rather than conflicts. */
const importedKey = fc.noBias(fc.stringMatching(/^acme_[A-Za-z0-9]{32}$/));
const importItem = fc.record({ key: importedKey, name: plausibleText, scopes: validScopes }, { requiredKeys: ["key", "name"] });

/** Inputs a route accepts, so the fuzz also reaches what happens after validation. */
export const VALID = {
  login: fc.record({ username: plausibleText, password: plausibleText }),
  signUp: fc.record({
    username: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{2,20}$/),
    email: fc.stringMatching(/^[a-z][a-z0-9]{0,10}@example\.test$/),
    name: plausibleText,
    password: fc.string({ minLength: 8, maxLength: 40 }),
  }),
  create: fc.record(
    { name: plausibleText, description: fc.oneof(plausibleText, fc.constant(null), fc.constant("line one\nline two\tend")), expires_at: futureDate, scopes: validScopes, rate_limit_per_minute: fc.integer({ min: 1, max: 1_000_000 }) },
    { requiredKeys: ["name"] },
  ),
  verify: fc.record({ key: fc.constant(PLACEHOLDER_KEY), scopes: validScopes }, { requiredKeys: ["key"] }),
  roll: fc.record({ grace_seconds: fc.integer({ min: 0, max: 2_592_000 }) }, { requiredKeys: [] }),
  // never a fixture's key: a report revokes what it names
  reportLeak: fc.record({ keys: fc.array(fc.oneof(plausibleText, fc.constant("ak_x")), { minLength: 1, maxLength: 3 }), url: plausibleText }, { requiredKeys: ["keys"] }),
  importKeys: fc.record({ keys: fc.uniqueArray(importItem, { minLength: 1, maxLength: 3, selector: (item) => item.key }) }),
  // an update must change something: a name at least
  update: fc.record(
    { name: plausibleText, description: fc.oneof(plausibleText, fc.constant(null)), expires_at: fc.oneof(futureDate, fc.constant(null)), scopes: validScopes, rate_limit_per_minute: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constant(null)) },
    { requiredKeys: ["name"] },
  ),
};

/**
 * A valid input two times in five; as often a valid input with one field
 * made hostile (what finds a field that reaches the database unchecked);
 * otherwise any field may be missing, of the wrong type or hostile.
 */
function validOrFuzzed(valid: fc.Arbitrary<Record<string, unknown>>, fuzzed: fc.Arbitrary<Record<string, unknown>>, fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const oneHostile = fc
    .tuple(valid, fc.constantFrom(...fields), fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 1, arbitrary: hostileJson }))
    .map(([input, name, value]) => ({ ...input, [name]: value }));
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 2, arbitrary: oneHostile }, { weight: 1, arbitrary: fuzzed });
}

/** The fields of every input shape, keyed by name. */
export const INPUTS = {
  login: validOrFuzzed(VALID.login, fieldsOf({ username: field(plausibleText), password: field(plausibleText) }), ["username", "password"]),
  signUp: validOrFuzzed(
    VALID.signUp,
    fieldsOf({
      username: field(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{2,20}$/)),
      email: field(fc.emailAddress()),
      name: field(plausibleText),
      password: field(fc.string({ minLength: 8, maxLength: 40 })),
    }),
    ["username", "email", "name", "password"],
  ),
  create: validOrFuzzed(
    VALID.create,
    fieldsOf({
      name: field(plausibleText),
      description: field(fc.oneof(plausibleText, fc.constant(""), fc.constant(null), fc.constant("line one\nline two\tend"))),
      expires_at: field(fc.oneof(futureDate, fc.constantFrom("", "2020-01-01T00:00:00Z", "2027-02-30T00:00:00Z", "2027-01-31T12:00:00+23:59", "0000-01-01T00:00:00Z"))),
      scopes: field(fc.oneof(scopes, scopes.map((list) => list.join(",")), scopes.map((list) => list.join(" ")))),
      rate_limit_per_minute: field(fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom("600", "", "0", "1e3", "99999999999999999999"))),
    }),
    ["name", "description", "expires_at", "scopes", "rate_limit_per_minute"],
  ),
  update: validOrFuzzed(
    VALID.update,
    fieldsOf({
      name: field(plausibleText),
      description: field(fc.oneof(plausibleText, fc.constant(""), fc.constant(null))),
      expires_at: field(fc.oneof(futureDate, fc.constantFrom("", "2020-01-01T00:00:00Z", "2027-02-30T00:00:00Z"))),
      scopes: field(fc.oneof(scopes, scopes.map((list) => list.join(",")))),
      rate_limit_per_minute: field(fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom("600", "", "0", "1e3"))),
    }),
    ["name", "description", "expires_at", "scopes", "rate_limit_per_minute"],
  ),
  verify: validOrFuzzed(VALID.verify, fieldsOf({ key: field(fc.constant(PLACEHOLDER_KEY)), scopes: field(scopes) }), ["key", "scopes"]),
  roll: validOrFuzzed(
    VALID.roll,
    fieldsOf({ grace_seconds: field(fc.oneof(fc.integer({ min: 0, max: 2_592_000 }), fc.constantFrom("3600", "", "-1", "1.5", "2592001"))) }),
    ["grace_seconds"],
  ),
  reportLeak: validOrFuzzed(
    VALID.reportLeak,
    fieldsOf({ keys: field(fc.oneof(fc.array(hostileString, { maxLength: 3 }), fc.array(plausibleText, { minLength: 1, maxLength: 3 }))), url: field(plausibleText) }),
    ["keys", "url"],
  ),
  importKeys: validOrFuzzed(
    VALID.importKeys,
    fieldsOf({ keys: field(fc.oneof(fc.array(importItem, { maxLength: 3 }), fc.array(hostileJson, { maxLength: 3 }))) }),
    ["keys"],
  ),
  none: fieldsOf({}),
};

/** How a body is sent: its bytes and Content-Type, or none. */
export interface EncodedBody {
  body?: string | Uint8Array<ArrayBuffer>;
  headers: [string, string][];
  /** Which encoding made it ("json", "form", "raw", …), for failure messages. */
  how: string;
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=nope",
  "text/plain",
  "application/xml",
  "application/octet-stream",
  "application/vnd.api+json",
  "application/json; charset=utf-16",
  "JSON",
  ";;;",
  "x/y; boundary=\"",
];

/** Raw text no encoder would produce: malformed or extreme JSON, and form data with broken escapes. */
const rawText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "{",
    "}",
    "[",
    '{"name": "a",',
    '{"name": "a",,}',
    '{"name": "a" "b"}',
    "{'name': 'a'}",
    '{"name": undefined}',
    '{"name": NaN, "rate_limit_per_minute": Infinity}',
    '{"name": "x", "rate_limit_per_minute": 1e400}',
    '{"name": "x", "rate_limit_per_minute": -1e400}',
    '{"name": "x", "rate_limit_per_minute": 123456789012345678901234567890}',
    '{"name": "x", "rate_limit_per_minute": 0.0000000000000000000000001}',
    '{"grace_seconds": 1e2}',
    '{"grace_seconds": -0}',
    '{"name": "\\ud800", "description": "\\u0000"}',
    '{"name": "\\uDFFF\\uD800"}',
    '{"name": "\\u0000"}',
    '{"name": "x", "name": 5}',
    '{"__proto__": {"name": "polluted"}, "name": "x"}',
    '{"constructor": {"prototype": {"name": "x"}}}',
    '{"name": "x" /* comment */}',
    '\ufeff{"name": "bom"}',
    '{"name": "\\x41"}',
    '{"name": "\\u12"}',
    "null",
    "true",
    "12",
    '"just a string"',
    "[]",
    "[{}]",
    "name=%ZZ&description=%",
    "name=%00&username=%00&password=%00&key=%00",
    "name=%ED%A0%80&username=%ED%A0%80",
    "name=a&name=b&name=c",
    "=&&=&",
    "%",
    "\u0000",
  ),
  fc.integer({ min: 1, max: 9_000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  fc.integer({ min: 1, max: 3_000 }).map((depth) => `${'{"name":'.repeat(depth)}1${"}".repeat(depth)}`),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => "[".repeat(depth)),
  hostileJson.map((value) => jsonText(value)).map((json) => json.slice(0, Math.max(1, json.length - 1))),
  fc.string({ unit: codeUnit, maxLength: 60 }),
);

/** JSON.stringify as it behaves: undefined (and functions) give undefined, whatever its declared type says. */
const stringify: (value: unknown) => string | undefined = JSON.stringify;

/** JSON text of any value, "" for one JSON cannot hold. */
export function jsonText(value: unknown): string {
  return stringify(value) ?? "";
}

/** Bytes that are not UTF-8 at all. */
const badBytes = fc.oneof(
  fc.constantFrom(new Uint8Array([0xff, 0xfe]), new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), new Uint8Array([0xed, 0xa0, 0x80])),
  fc.uint8Array({ maxLength: 64 }),
);

function asFormValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join(",");
  return jsonText(value);
}

function withTrailingComma(json: string): string {
  return json.endsWith("}") && json.length > 2 ? `${json.slice(0, -1)},\n}` : json;
}

/** Every way the tests send `fields`: JSON (strict, with a trailing comma, mislabelled), form data, multipart, raw text or bytes, or nothing. */
export function encodedBody(fields: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<EncodedBody> {
  const contentType = fc.oneof({ weight: 3, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) });
  const typed = (type: string | undefined): [string, string][] => (type === undefined ? [] : [["content-type", type]]);
  return fc.oneof(
    { weight: 9, arbitrary: fields.map((f) => ({ body: JSON.stringify(f), headers: typed("application/json"), how: "json" })) },
    { weight: 2, arbitrary: fc.tuple(fields, contentType).map(([f, type]) => ({ body: withTrailingComma(JSON.stringify(f)), headers: typed(type), how: "json-lenient" })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fields, fc.boolean()).map(([f, labelled]) => ({
        body: new URLSearchParams(Object.entries(f).map(([k, v]): [string, string] => [k, asFormValue(v)])).toString(),
        headers: typed(labelled ? "application/x-www-form-urlencoded" : undefined),
        how: "form",
      })),
    },
    { weight: 2, arbitrary: fc.tuple(fields, fc.boolean(), hostileString).map(([f, breakType, filename]) => multipart(f, breakType, filename)) },
    { weight: 3, arbitrary: fc.tuple(rawText, contentType).map(([body, type]) => ({ body, headers: typed(type), how: "raw" })) },
    { weight: 1, arbitrary: fc.tuple(badBytes, contentType).map(([bytes, type]) => ({ body: new Uint8Array(bytes), headers: typed(type), how: "bytes" })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 16 * 1024 - 40, max: 40_000 }), fc.boolean()).map(([size, declare]) => oversize(size, declare)) },
    { weight: 1, arbitrary: fc.tuple(fields, fc.constantFrom("0", "1", "-1", "abc", "1e3", "99999999999")).map(([f, length]) => lyingLength(f, length)) },
    { weight: 1, arbitrary: contentType.map((type) => ({ headers: typed(type), how: "none" })) },
  );
}

function multipart(fields: Record<string, unknown>, breakType: boolean, filename: string): EncodedBody {
  // long and random: undici fails to parse some one-character boundaries ("b" before a value starting with "b")
  const boundary = `----hostile${randomSecret(8)}`;
  const parts = Object.entries(fields).map(([name, value], i) => {
    const disposition = i === 0 && filename ? `form-data; name="${name}"; filename="${filename}"` : `form-data; name="${name}"`;
    return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${asFormValue(value)}\r\n`;
  });
  const body = `${parts.join("")}--${boundary}--\r\n`;
  return { body, headers: [["content-type", breakType ? "multipart/form-data" : `multipart/form-data; boundary=${boundary}`]], how: "multipart" };
}

function oversize(size: number, declare: boolean): EncodedBody {
  const body = JSON.stringify({ name: "big", description: "d".repeat(size) });
  return { body, headers: [["content-type", "application/json"], ...(declare ? [["content-length", String(Buffer.byteLength(body))] as [string, string]] : [])], how: "oversize" };
}

function lyingLength(fields: Record<string, unknown>, length: string): EncodedBody {
  return { body: JSON.stringify(fields), headers: [["content-type", "application/json"], ["content-length", length]], how: "lying-length" };
}

/** Header-safe text: what a client can actually put in a header value (bytes 0x20–0xFF and tab). */
export const headerText = fc.string({
  unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

export const credentialChoice: fc.Arbitrary<CredentialChoice> = fc.record({
  kind: fc.constantFrom(...CREDENTIAL_KINDS),
  garbage: fc.oneof(
    headerText,
    fc.constantFrom("Bearer", "Bearer ", "bearer ak_", "Basic YWxpY2U6cHc=", "Bearer a b c", "Bearer\tx", "Bearer ak_" + "A".repeat(43), "Token abc", ", Bearer x", "x".repeat(8_000)),
  ),
  withSecretCore: fc.boolean(),
});

/** A path segment for `:id`: real ids, other users', edges, and encodings that should never be an id. */
export type IdChoice = { kind: "victim" } | { kind: "other-user" } | { kind: "raw"; segment: string };

export const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<IdChoice>({ kind: "victim" }) },
  { weight: 1, arbitrary: fc.constant<IdChoice>({ kind: "other-user" }) },
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        // far above any id these tests make, so no case deletes a key another case authenticates with
        fc.integer({ min: 10_000_000, max: 2 ** 31 - 1 }).map(String),
        fc.constantFrom("0", "-1", "2147483647", "2147483648", "9007199254740993", "9".repeat(40), "1e3", "5.0", "0x10", "+5", " 5", "٣", "５"),
        fc.constantFrom("%ZZ", "%", "%2", "%2F", "%2f..%2f", "%2e", "%2E%2E", "%00", "%C0%AF", "%ED%A0%80", "%F0%9F%94%91", "%E2%80%AE", "%25", "%20", "%0A"),
        fc.string({ unit: codeUnit, maxLength: 12 }).map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "?"))),
      )
      .map((segment) => ({ kind: "raw" as const, segment })),
  },
);

/** Every method Request accepts that a client might send (CONNECT, TRACE and TRACK are refused by Request itself). */
export const ODD_METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "QUERY", "M-SEARCH", "get", "Post"] as const;

// ---------------------------------------------------------------------------
// response checks

const ENVELOPE_KEYS = ["data", "message", "status"];

function parseJson(sent: Sent, where: string): unknown {
  try {
    return JSON.parse(sent.text) as unknown;
  } catch {
    expect.fail(`${where}: the body is not JSON: ${sent.text.slice(0, 200)}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Never a 5xx: the database is up, so any 5xx is a bug. */
export function expectNo5xx(sent: Sent, where: string): void {
  expect(sent.status, `${where}: ${sent.text.slice(0, 300)}`).toBeLessThan(500);
}

/**
 * The documented envelope, with the status class it implies and the headers
 * its status promises: 401 says how to authenticate, 405 what is allowed, 429
 * says when to retry. (Whether a 413 keeps the connection depends on how much
 * body is left: trpc-policy and apps/server's http-edges tests cover it.)
 */
export function expectEnvelope(sent: Sent, where: string): { data: unknown; message: string; status: "success" | "failed"; errors?: Record<string, string[]> } {
  expect(sent.headers.get("content-type"), `${where}: content type`).toBe("application/json; charset=utf-8");
  expect(sent.headers.get("cache-control"), `${where}: cacheable`).toBe("no-store");
  const body = parseJson(sent, where);
  if (!isRecord(body)) return expect.fail(`${where}: the body is not an object: ${sent.text.slice(0, 200)}`);
  expect(typeof body.message === "string" && body.message.length > 0, `${where}: no message`).toBe(true);
  if (body.status === "success") {
    expect(Object.keys(body).sort(), `${where}: envelope keys`).toEqual(ENVELOPE_KEYS);
    expect(sent.status >= 200 && sent.status < 300, `${where}: success with HTTP ${sent.status}`).toBe(true);
  } else {
    expect(body.status, `${where}: status field`).toBe("failed");
    expect(body.data, `${where}: failed with data`).toBeNull();
    expect(sent.status >= 400 && sent.status < 500, `${where}: failed with HTTP ${sent.status}`).toBe(true);
    const extra = Object.keys(body).filter((key) => !ENVELOPE_KEYS.includes(key));
    expect(extra.filter((key) => key !== "errors"), `${where}: envelope keys`).toEqual([]);
    if ("errors" in body) {
      const errors = body.errors;
      const wellFormed = isRecord(errors) && Object.keys(errors).length > 0 && Object.values(errors).every((list) => Array.isArray(list) && list.length > 0 && list.every((m) => typeof m === "string" && m.length > 0));
      expect(wellFormed, `${where}: errors is not {field: [reasons]}: ${JSON.stringify(errors)}`).toBe(true);
    }
    if (sent.status === 401) expect(sent.headers.get("www-authenticate"), `${where}: 401 without WWW-Authenticate`).toBe('Bearer realm="keysmith"');
    if (sent.status === 405) expect(sent.headers.get("allow"), `${where}: 405 without Allow`).toMatch(/^(GET|HEAD|POST|PATCH|DELETE)(, (GET|HEAD|POST|PATCH|DELETE))*$/);
    if (sent.status === 429) expect(Number(sent.headers.get("retry-after")), `${where}: 429 without Retry-After`).toBeGreaterThanOrEqual(1);
  }
  return body as ReturnType<typeof expectEnvelope>;
}

/** A HEAD answer outside tRPC: GET's status and headers, so never a 5xx, and no body. */
export function expectHeadAnswer(sent: Sent, where: string): void {
  expect(sent.status < 500, `${where}: HTTP ${sent.status}`).toBe(true);
  expect(sent.text, `${where}: HEAD with a body`).toBe("");
  if (sent.status === 405) expect(sent.headers.get("allow"), `${where}: 405 without Allow`).toMatch(/^(GET|HEAD|POST|PATCH|DELETE)(, (GET|HEAD|POST|PATCH|DELETE))*$/);
}

/** What a route's answer must be beyond the envelope: its documented data, message and status, or a documented failure. */
export function expectDocumented(sent: Sent, route: Route, where: string): void {
  // a raw route answers its own format on success (the OpenAPI document, GitHub's feedback), and fails in the envelope
  if (route.doc.raw && sent.status === route.doc.status) {
    const data = route.doc.data.safeParse(parseJson(sent, where));
    expect(data.success, `${where}: not the documented answer: ${data.error?.message ?? ""}`).toBe(true);
    return;
  }
  const body = expectEnvelope(sent, where);
  if (body.status === "success") {
    expect(sent.status, `${where}: success status`).toBe(route.doc.status);
    expect([route.doc.message, ...(route.doc.otherMessages ?? [])], `${where}: success message`).toContain(body.message);
    const data = route.doc.data.safeParse(body.data);
    expect(data.success, `${where}: data is not the documented shape: ${data.error?.message ?? ""}`).toBe(true);
  } else {
    expect(documentedErrors(route), `${where}: HTTP ${sent.status} is not among the route's documented errors: ${body.message}`).toContain(sent.status);
  }
}

export { routes };

/** A tRPC answer: `{result: {data}}` or `{error: {message, code, data: {code, httpStatus, path?, fieldErrors}}}`, and nothing else. */
export function expectTrpcItem(item: unknown, where: string): { ok: true; data: unknown } | { ok: false; httpStatus: number; fieldErrors: Record<string, string[]> | null } {
  if (!isRecord(item)) return expect.fail(`${where}: a tRPC answer that is not an object: ${JSON.stringify(item)}`);
  const keys = Object.keys(item);
  expect(keys.length === 1 && (keys[0] === "result" || keys[0] === "error"), `${where}: tRPC answer keys ${JSON.stringify(keys)}`).toBe(true);
  if ("result" in item) {
    const result = item.result;
    expect(isRecord(result) && Object.keys(result).every((key) => key === "data"), `${where}: result ${JSON.stringify(result)}`).toBe(true);
    return { ok: true, data: (result as { data?: unknown }).data };
  }
  const error = item.error;
  if (!isRecord(error)) return expect.fail(`${where}: error is not an object`);
  expect(typeof error.message === "string" && error.message.length > 0, `${where}: error message`).toBe(true);
  expect(Number.isInteger(error.code) && (error.code as number) < 0, `${where}: error code ${String(error.code)}`).toBe(true);
  const data = error.data;
  if (!isRecord(data)) return expect.fail(`${where}: error.data is not an object`);
  expect(typeof data.code === "string", `${where}: error.data.code`).toBe(true);
  expect(data, `${where}: a stack trace in the response`).not.toHaveProperty("stack");
  const httpStatus = data.httpStatus;
  if (typeof httpStatus !== "number") return expect.fail(`${where}: error.data.httpStatus ${String(httpStatus)}`);
  expect(httpStatus, `${where}: ${String(error.message)}`).toBeGreaterThanOrEqual(400);
  expect(httpStatus, `${where}: ${String(error.message)}`).toBeLessThan(500);
  const fieldErrors = data.fieldErrors;
  const fieldsWellFormed =
    fieldErrors === null || (isRecord(fieldErrors) && Object.values(fieldErrors).every((list) => Array.isArray(list) && list.every((m) => typeof m === "string")));
  expect(fieldsWellFormed, `${where}: fieldErrors ${JSON.stringify(fieldErrors)}`).toBe(true);
  return { ok: false, httpStatus, fieldErrors: fieldErrors as Record<string, string[]> | null };
}

/** What a tRPC response held: its answers in the order of the calls, with their JSON, or none when it streamed JSON lines. */
export interface TrpcAnswers {
  items: ReturnType<typeof expectTrpcItem>[];
  answers: unknown[];
  streamed: boolean;
}

/**
 * A whole tRPC response: JSON lines when streaming was asked for and given,
 * else one answer (HTTP status = its httpStatus, or 200) or a batch of them.
 */
export function expectTrpcResponse(sent: Sent, request: { method: string; jsonl: boolean }, where: string): TrpcAnswers {
  if (request.method === "HEAD") {
    expect(sent.text, `${where}: HEAD with a body`).toBe("");
    return { items: [], answers: [], streamed: false };
  }
  if (request.jsonl && sent.status === 200 && sent.text.includes("\n")) {
    for (const line of sent.text.split("\n").filter(Boolean)) parseJson({ ...sent, text: line }, `${where} (a JSON line)`);
    return { items: [], answers: [], streamed: true };
  }
  const body = parseJson(sent, where);
  const answers = Array.isArray(body) ? body : [body];
  const statuses = answers.map((answer) => (isRecord(answer) && isRecord(answer.error) && isRecord(answer.error.data) ? answer.error.data.httpStatus : 200));
  // the same promise as REST's: when to retry
  if (statuses.includes(429)) expect(Number(sent.headers.get("retry-after")), `${where}: 429 without Retry-After`).toBeGreaterThanOrEqual(1);
  expect(sent.headers.get("cache-control"), `${where}: cacheable`).toBe("no-store");
  if (Array.isArray(body)) {
    const items = body.map((item, i) => expectTrpcItem(item, `${where} [${i}]`));
    if (items.every((item) => item.ok)) expect(sent.status, `${where}: batch status`).toBe(200);
    return { items, answers: body, streamed: false };
  }
  const item = expectTrpcItem(body, where);
  expect(sent.status, `${where}: HTTP status against the answer`).toBe(item.ok ? 200 : item.httpStatus);
  return { items: [item], answers: [body], streamed: false };
}
