/**
 * The shared core without a server: reading `Authorization`, the RFC 6750
 * challenges, the status table, and the cache's clock. The middleware against
 * a real Keysmith is tested in apps/server/test/client.test.ts.
 */
import { createHash } from "node:crypto";

import { describe, expect, test } from "vitest";

import { bearerChallenge, MAX_CREDENTIAL_LENGTH, readBearer } from "../src/bearer.ts";
import { failureBody, failureResponse, refusal, verifyCallFailure } from "../src/failures.ts";
import { IMPORTED_KEY_LENGTH, type VerifyResult, ZVerifyInput } from "@keysmith/validators";

import { cannotBeKey, type KeysmithClient, MAX_KEY_LENGTH } from "../src/client.ts";
import { KeysmithClientError, UnexpectedResponseError } from "../src/client-error.ts";
import { type VerifiedKey } from "../src/verified-key.ts";
import { createRequestVerifier, FAILURE_LOG_INTERVAL_MS, failureLog } from "../src/verify-request.ts";
import { cacheable, keyHash, VerifiedKeyCache } from "../src/verified-key-cache.ts";

const KEY = "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0";

describe("readBearer", () => {
  test("no header, an empty header and another scheme (Basic) are all 'missing'", () => {
    expect(readBearer(undefined)).toEqual({ kind: "missing" });
    expect(readBearer(null)).toEqual({ kind: "missing" });
    expect(readBearer("")).toEqual({ kind: "missing" });
    expect(readBearer("Basic dXNlcjpwYXNz")).toEqual({ kind: "missing" });
  });

  test("the scheme is matched in any case and the key is read without surrounding spaces", () => {
    expect(readBearer(`Bearer ${KEY}`)).toEqual({ kind: "bearer", value: KEY });
    expect(readBearer(`bearer   ${KEY}  `)).toEqual({ kind: "bearer", value: KEY });
    expect(readBearer(`BEARER\t${KEY}`)).toEqual({ kind: "bearer", value: KEY });
  });

  test("'Bearer' with nothing, with two values, with characters outside b64token, or longer than any key is 'malformed'", () => {
    expect(readBearer("Bearer")).toEqual({ kind: "malformed" });
    expect(readBearer("Bearer   ")).toEqual({ kind: "malformed" });
    expect(readBearer(`Bearer ${KEY} ${KEY}`)).toEqual({ kind: "malformed" });
    expect(readBearer('Bearer ak_"quoted"')).toEqual({ kind: "malformed" });
    expect(readBearer(`Bearer ${"a".repeat(MAX_CREDENTIAL_LENGTH + 1)}`)).toEqual({ kind: "malformed" });
  });
});

describe("bearerChallenge", () => {
  test("without an error it is the bare challenge: realm only", () => {
    expect(bearerChallenge("api")).toBe('Bearer realm="api"');
  });

  test("invalid_token carries error and error_description; insufficient_scope adds the space-separated scopes", () => {
    expect(bearerChallenge("api", { error: "invalid_token", description: "The API key has expired." })).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The API key has expired."',
    );
    expect(bearerChallenge("api", { error: "insufficient_scope", description: "Needs more.", scopes: ["keys:read", "keys:write"] })).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Needs more.", scope="keys:read keys:write"',
    );
  });

  test("a quote or backslash in the realm is escaped; in a description, which RFC 6750 forbids them in, it is dropped", () => {
    expect(bearerChallenge('my "api"\\')).toBe('Bearer realm="my \\"api\\"\\\\"');
    expect(bearerChallenge("api", { error: "invalid_token", description: 'say "no"\\' })).toBe('Bearer realm="api", error="invalid_token", error_description="say no"');
  });
});

describe("refusal", () => {
  test("no credential is 401 with the bare challenge; MALFORMED, NOT_FOUND, EXPIRED and REVOKED are 401 invalid_token", () => {
    expect(refusal("MISSING", "api", [])).toMatchObject({ status: 401, headers: { "www-authenticate": 'Bearer realm="api"' } });
    for (const code of ["MALFORMED", "NOT_FOUND", "EXPIRED", "REVOKED"] as const) {
      const failure = refusal(code, "api", []);
      expect(failure.status).toBe(401);
      expect(failure.headers["www-authenticate"]).toMatch(/^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/);
    }
  });

  test("INSUFFICIENT_SCOPE is 403 insufficient_scope naming the scopes; USAGE_EXCEEDED is 403 without a challenge; RATE_LIMITED is 429 with Keysmith's wait as Retry-After and in the message, 60 when Keysmith gave none", () => {
    const scope = refusal("INSUFFICIENT_SCOPE", "api", ["keys:write"]);
    expect(scope.status).toBe(403);
    expect(scope.headers["www-authenticate"]).toContain('error="insufficient_scope"');
    expect(scope.headers["www-authenticate"]).toContain('scope="keys:write"');
    expect(refusal("USAGE_EXCEEDED", "api", [])).toEqual({ status: 403, message: expect.stringContaining("credits are used up"), headers: {} });
    expect(refusal("RATE_LIMITED", "api", [], 17)).toEqual({ status: 429, message: expect.stringContaining("try again in 17 seconds"), headers: { "retry-after": "17" } });
    expect(refusal("RATE_LIMITED", "api", [], null)).toMatchObject({ status: 429, headers: { "retry-after": "60" } });
    expect(refusal("RATE_LIMITED", "api", [])).toMatchObject({ status: 429, headers: { "retry-after": "60" } });
  });

  test("RATE_LIMITED with a wait of 0 or 2.5 seconds says 1 and 3 (whole seconds, at least one); one of years says a day", () => {
    expect(refusal("RATE_LIMITED", "api", [], 0)).toMatchObject({ message: expect.stringContaining("try again in 1 seconds"), headers: { "retry-after": "1" } });
    expect(refusal("RATE_LIMITED", "api", [], 2.5)).toMatchObject({ headers: { "retry-after": "3" } });
    expect(refusal("RATE_LIMITED", "api", [], 1e23)).toMatchObject({ headers: { "retry-after": "86400" } });
  });

  test("the answer is Keysmith's failed envelope as JSON that no cache may keep", async () => {
    const failure = refusal("REVOKED", "api", []);
    expect(JSON.parse(failureBody(failure))).toEqual({ data: null, message: failure.message, status: "failed" });
    const response = failureResponse(failure);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ data: null, message: failure.message, status: "failed" });
  });
});

describe("verifyCallFailure", () => {
  test("Keysmith away with Retry-After: 0 is 503 with Retry-After: 1, not an invitation to retry at once", () => {
    const error = KeysmithClientError.fromError(new UnexpectedResponseError(503, 0));
    expect(verifyCallFailure(error)).toMatchObject({ status: 503, headers: { "retry-after": "1" } });
  });
});

describe("VerifiedKeyCache", () => {
  const key = (overrides: Partial<VerifiedKey> = {}): VerifiedKey => ({ id: 1, name: "k", owner_id: 1, scopes: ["keys:read"], remaining: null, expires_at: null, ...overrides });

  test("an entry is answered until ttlMs has passed, and not after", () => {
    let now = 1_000_000;
    const cache = new VerifiedKeyCache({ ttlMs: 500 }, () => now);
    cache.set("h", key());
    now += 499;
    expect(cache.get("h")).toEqual(key());
    now += 1;
    expect(cache.get("h")).toBeUndefined();
  });

  test("an entry's ttlMs counts from when its verify call started, not from when the answer came", () => {
    let now = 1_000_000;
    const cache = new VerifiedKeyCache({ ttlMs: 500 }, () => now);
    const started = now;
    now += 400;
    cache.set("h", key(), started);
    now += 99;
    expect(cache.get("h")).toBeDefined();
    now += 1;
    expect(cache.get("h")).toBeUndefined();
  });

  test("each get answers its own copy: a route that changes its key's scopes does not change the next request's", () => {
    const cache = new VerifiedKeyCache({ ttlMs: 60_000 });
    cache.set("h", key());
    cache.get("h")?.scopes.push("keys:write");
    expect(cache.get("h")?.scopes).toEqual(["keys:read"]);
  });

  test.each([
    [{ ttlMs: Infinity }, "cache.ttlMs must be a whole number of milliseconds from 1 to 86,400,000 (a day)."],
    [{ ttlMs: Number.NaN }, "cache.ttlMs must be a whole number of milliseconds from 1 to 86,400,000 (a day)."],
    [{ ttlMs: 0 }, "cache.ttlMs must be a whole number of milliseconds from 1 to 86,400,000 (a day)."],
    [{ ttlMs: 1000, maxEntries: Number.NaN }, "cache.maxEntries must be a whole number of at least 1."],
    [{ ttlMs: 1000, maxEntries: 0 }, "cache.maxEntries must be a whole number of at least 1."],
    [{ ttlMs: 1000, maxEntries: 2.5 }, "cache.maxEntries must be a whole number of at least 1."],
  ])("options %o are refused: %s", (options, message) => {
    expect(() => new VerifiedKeyCache(options)).toThrow(new RangeError(message));
  });

  test("an entry never outlives the key's own expiry", () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const cache = new VerifiedKeyCache({ ttlMs: 60_000 }, () => now);
    cache.set("h", key({ expires_at: "2030-01-01T00:00:01Z" }));
    expect(cache.get("h")).toBeDefined();
    now += 1_000;
    expect(cache.get("h")).toBeUndefined();
  });

  test("past maxEntries the oldest entry is dropped", () => {
    const cache = new VerifiedKeyCache({ ttlMs: 60_000, maxEntries: 2 });
    cache.set("a", key({ id: 1 }));
    cache.set("b", key({ id: 2 }));
    cache.set("c", key({ id: 3 }));
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")?.id).toBe(3);
  });

  test("keys with credits are not cacheable; keys without are", () => {
    expect(cacheable(key({ remaining: 10 }))).toBe(false);
    expect(cacheable(key({ remaining: 0 }))).toBe(false);
    expect(cacheable(key())).toBe(true);
  });

  test("keyHash, the cache's map key, is the key's SHA-256 in hex (as node:crypto computes it)", async () => {
    expect(await keyHash(KEY)).toBe(createHash("sha256").update(KEY).digest("hex"));
  });
});

describe("failureLog, the default onError", () => {
  test("writes at most one line every FAILURE_LOG_INTERVAL_MS, the next one saying how many failures it left out", () => {
    const lines: string[] = [];
    let now = 0;
    const log = failureLog((line) => lines.push(line), () => now);
    const error = KeysmithClientError.fromError(new Error("connect ECONNREFUSED"));
    log(error);
    log(error);
    now += FAILURE_LOG_INTERVAL_MS - 1;
    log(error);
    expect(lines).toEqual(["@keysmith/client: a request's API key could not be verified: NETWORK_ERROR: Keysmith could not be reached: connect ECONNREFUSED"]);
    now += 1;
    log(error);
    expect(lines[1]).toBe("@keysmith/client: a request's API key could not be verified: NETWORK_ERROR: Keysmith could not be reached: connect ECONNREFUSED (and 2 more since the last line)");
  });
});

describe("cannotBeKey, the client's own copy of Keysmith's rules", () => {
  test("its longest key is Keysmith's, and it refuses exactly the texts Keysmith's verify input refuses", () => {
    expect(MAX_KEY_LENGTH).toBe(IMPORTED_KEY_LENGTH.max);
    const samples = [KEY, "", " ", "sk_live_x", "tab\there", "line\nbreak", "nul\u0000", "del\u007f", "c1\u0085", "lone\ud800", "pair\ud83d\ude00", "bidi\u202e", "zero\u200b", "\ufeffbom", "é", "k".repeat(512)];
    for (const sample of samples) expect(cannotBeKey(sample), JSON.stringify(sample)).toBe(!ZVerifyInput.shape.key.safeParse(sample).success);
    expect(cannotBeKey("k".repeat(513))).toBe(true);
  });
});

describe("requests presenting a key whose verify call is under way (cache on)", () => {
  const answer = (overrides: Partial<VerifyResult> = {}): VerifyResult => ({
    valid: true,
    code: "VALID",
    id: 1,
    name: "k",
    owner_id: 1,
    expires_at: null,
    scopes: ["keys:read"],
    remaining: null,
    retry_after_seconds: null,
    ...overrides,
  });

  /** A client whose verify calls are counted and all answer `result` (or fail) when `release` is called. */
  function heldClient(result: VerifyResult | Error) {
    const calls = { count: 0 };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const verifyKey = async () => {
      calls.count += 1;
      await gate;
      if (result instanceof Error) throw result;
      return result;
    };
    return { client: { verifyKey } as unknown as KeysmithClient, calls, release };
  }

  async function fiveAtOnce(result: VerifyResult | Error, cache: boolean) {
    const held = heldClient(result);
    const verify = createRequestVerifier({ client: held.client, ...(cache ? { cache: { ttlMs: 60_000 } } : {}), onError: () => undefined });
    const outcomes = Array.from({ length: 5 }, () => verify(`Bearer ${KEY}`));
    // each request hashes the key (Web Crypto) before it asks: let all five reach that point
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.release();
    return { outcomes: await Promise.all(outcomes), calls: held.calls.count };
  }

  test("five requests with a key without credits make one verify call, and all five are let in", async () => {
    const { outcomes, calls } = await fiveAtOnce(answer(), true);
    expect(calls).toBe(1);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true, true, true]);
  });

  test("five requests with a revoked key make one verify call, and all five are refused 401", async () => {
    const { outcomes, calls } = await fiveAtOnce(answer({ valid: false, code: "REVOKED" }), true);
    expect(calls).toBe(1);
    expect(outcomes.map((outcome) => (outcome.ok ? 200 : outcome.failure.status))).toEqual([401, 401, 401, 401, 401]);
  });

  test("five requests while Keysmith is away make one verify call, and all five are refused 503", async () => {
    const { outcomes, calls } = await fiveAtOnce(KeysmithClientError.fromError(new UnexpectedResponseError(503, 2)), true);
    expect(calls).toBe(1);
    expect(outcomes.map((outcome) => (outcome.ok ? 200 : outcome.failure.status))).toEqual([503, 503, 503, 503, 503]);
  });

  test("five requests with a key with credits make five verify calls: each spends its own", async () => {
    const { outcomes, calls } = await fiveAtOnce(answer({ remaining: 100 }), true);
    expect(calls).toBe(5);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  });

  test("with the cache off, five requests make five verify calls", async () => {
    const { calls } = await fiveAtOnce(answer(), false);
    expect(calls).toBe(5);
  });
});
