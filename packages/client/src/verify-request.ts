import type { Scope, VerifyResult } from "@keysmith/validators";

import { readBearer } from "./bearer.ts";
import { createKeysmithClient, type KeysmithClient, type KeysmithClientOptions, type VerifyKeyOptions } from "./client.ts";
import { KeysmithClientError } from "./client-error.ts";
import { refusal, type VerificationFailure, verifyCallFailure } from "./failures.ts";
import { type VerifiedKey, verifiedKey } from "./verified-key.ts";
import { cacheable, type CacheOptions, keyHash, VerifiedKeyCache } from "./verified-key-cache.ts";

/** Which Keysmith to ask: a client you made, or what to make one from. */
export type KeysmithConnection = { client: KeysmithClient; url?: undefined } | (KeysmithClientOptions & { client?: undefined });

export type ProtectOptions = KeysmithConnection & {
  /** Scopes every key must have for these routes; a key lacking one gets 403. */
  scopes?: readonly Scope[];
  /** Credits each request spends from a key with credits (Keysmith's default 1; 0 checks without spending). */
  cost?: number;
  /**
   * Reuse VALID answers for `ttlMs` (off unless given). A revoked key keeps working here for up to that long.
   * With it on, requests presenting a key whose verify call is under way wait for that call (sharedVerifyCalls).
   */
  cache?: CacheOptions;
  /** The realm of the WWW-Authenticate challenge; "api" unless given. */
  realm?: string;
  /**
   * Told when the verify call itself fails (Keysmith unreachable, this
   * service's own key refused): the request is refused with 503 or 500
   * either way. Unless given, writes a line to stderr, at most one every 10 s.
   */
  onError?: (error: KeysmithClientError) => void;
};

export type VerifyRequestOutcome = { ok: true; key: VerifiedKey } | { ok: false; failure: VerificationFailure };

const DEFAULT_REALM = "api";

/** The default log's interval: at most one line in it. */
export const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * The default `onError`: a line on stderr, at most one every
 * FAILURE_LOG_INTERVAL_MS, with the number of failures left out since the
 * last. During an outage every request fails, and a line each would bury
 * the service's own logs.
 */
export function failureLog(write: (line: string) => void = console.error, now: () => number = Date.now): (error: KeysmithClientError) => void {
  let lastAt = -Infinity;
  let skipped = 0;
  return (error) => {
    const at = now();
    if (at - lastAt < FAILURE_LOG_INTERVAL_MS) {
      skipped += 1;
      return;
    }
    const more = skipped > 0 ? ` (and ${skipped} more since the last line)` : "";
    write(`@keysmith/client: a request's API key could not be verified: ${error.code}${error.status === null ? "" : ` (HTTP ${error.status})`}: ${error.message}${more}`);
    lastAt = at;
    skipped = 0;
  };
}

/**
 * The one core every framework adapter wraps: the `Authorization` header in,
 * either the verified key or the refusal (status, sentence, headers) out. It
 * never throws and never lets a request through that Keysmith did not call
 * VALID: when Keysmith cannot answer, the request is refused (fail closed).
 */
export function createRequestVerifier(options: ProtectOptions): (authorization: string | null | undefined) => Promise<VerifyRequestOutcome> {
  const client = options.client !== undefined ? options.client : createKeysmithClient(options);
  const realm = options.realm ?? DEFAULT_REALM;
  const scopes = options.scopes ?? [];
  const report = options.onError ?? failureLog();
  const cache = options.cache ? new VerifiedKeyCache(options.cache) : null;
  const verifyOptions = { ...(options.scopes ? { scopes: options.scopes } : {}), ...(options.cost === undefined ? {} : { cost: options.cost }) };
  const fail = (failure: VerificationFailure): VerifyRequestOutcome => ({ ok: false, failure });
  const verifyShared = sharedVerifyCalls(client, verifyOptions);

  return async (authorization) => {
    const presented = readBearer(authorization);
    if (presented.kind === "missing") return fail(refusal("MISSING", realm, scopes));
    // not even shaped like a key: refused without asking Keysmith
    if (presented.kind === "malformed") return fail(refusal("MALFORMED", realm, scopes));

    const hash = cache ? await keyHash(presented.value) : null;
    const cached = hash === null ? undefined : cache?.get(hash);
    if (cached) return { ok: true, key: cached };

    const askedAt = Date.now();
    let answer: { result: VerifyResult; led: boolean };
    try {
      answer = hash === null ? { result: await client.verifyKey(presented.value, verifyOptions), led: true } : await verifyShared(hash, presented.value);
    } catch (error) {
      const failed = KeysmithClientError.fromError(error);
      report(failed);
      return fail(verifyCallFailure(failed));
    }
    const { result, led } = answer;
    if (result.code !== "VALID") return fail(refusal(result.code, realm, scopes, result.retry_after_seconds));
    const key = verifiedKey(result);
    // a VALID answer always names the key; one that does not is no reason to let the request in
    if (!key) return fail({ status: 500, message: "API keys cannot be verified: Keysmith's answer lacked the key. Try again later.", headers: {} });
    // only the call's own request caches it: a request that joined later would count ttlMs from its own start
    if (cache && hash !== null && led && cacheable(key)) cache.set(hash, key, askedAt);
    return { ok: true, key };
  };
}

/**
 * Verify calls in flight by key hash, so that requests presenting the same
 * key while its answer is on the way (a burst of a client's first requests,
 * or every request once its cached answer has lapsed) wait for that one call
 * rather than each making its own: with the cache on, they would be answered
 * from it a moment later anyway. Its failure is theirs too (Keysmith away
 * fails them all, once, rather than once each after another timeout). A
 * VALID answer for a key with credits is not shared: each request must
 * spend at Keysmith, so each asks again.
 */
function sharedVerifyCalls(client: KeysmithClient, options: VerifyKeyOptions): (hash: string, key: string) => Promise<{ result: VerifyResult; led: boolean }> {
  const inFlight = new Map<string, Promise<VerifyResult>>();
  return async (hash, key) => {
    const leading = inFlight.get(hash);
    if (leading) {
      const result = await leading;
      if (result.code !== "VALID" || result.remaining === null) return { result, led: false };
      return { result: await client.verifyKey(key, options), led: true };
    }
    const call = client.verifyKey(key, options);
    inFlight.set(hash, call);
    const done = () => {
      if (inFlight.get(hash) === call) inFlight.delete(hash);
    };
    call.then(done, done);
    return { result: await call, led: true };
  };
}
