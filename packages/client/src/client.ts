import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";

import type { AppRouter } from "@keysmith/api";
import type { Scope, VerifyResult } from "@keysmith/validators";

import { type Fetch, keysmithFetch } from "./keysmith-fetch.ts";
import { keysmithErrorLink } from "./error-link.ts";

/** Keysmith's tRPC endpoint refuses a batch of more calls than this (packages/edge MAX_BATCH_SIZE); the link splits larger ones. */
export const MAX_BATCH_ITEMS = 10;

/** The longest URL a batched GET may have before the link splits the batch; 8 KiB is a common proxy limit. */
const MAX_URL_LENGTH = 8_000;

/** How long a call may wait for Keysmith's answer unless `timeoutMs` says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Who the client calls Keysmith as: one of the caller's API keys (`ak_…`) or an access token from `POST /api/v1/login`. */
export type KeysmithCredential = { apiKey: string; token?: undefined } | { token: string; apiKey?: undefined };

export type KeysmithClientOptions = KeysmithCredential & {
  /** Keysmith's origin, e.g. "https://keysmith.example.com" (apps/server); the client adds /api/trpc. */
  url: string;
  /** A fetch of your own (tests, instrumentation, a proxy agent); the global fetch otherwise. */
  fetch?: Fetch;
  /** Each HTTP call's deadline; 10 s by default. A call past it rejects with code NETWORK_ERROR. */
  timeoutMs?: number;
};

export interface VerifyKeyOptions {
  /** Scopes the key must have, else the answer is INSUFFICIENT_SCOPE. */
  scopes?: readonly Scope[];
  /** Credits a VALID answer spends from a key with credits (Keysmith's default 1; 0 checks without spending). */
  cost?: number;
}

export type KeysmithClient = TRPCClient<AppRouter> & {
  /**
   * `apiKeys.verify`: whether `key` is valid and, if not, why (`code`). It
   * answers rather than throws for every key; it rejects (KeysmithClientError)
   * only when the call itself fails: Keysmith unreachable, or this client's
   * own credential refused or lacking `keys:verify`.
   */
  verifyKey(key: string, options?: VerifyKeyOptions): Promise<VerifyResult>;
};

/** Keysmith's answer for text that cannot be a key, given without asking it. */
const malformed = (): VerifyResult => ({ valid: false, code: "MALFORMED", id: null, name: null, owner_id: null, expires_at: null, scopes: null, remaining: null, retry_after_seconds: null });

/** The longest key Keysmith stores (IMPORTED_KEY_LENGTH.max in @keysmith/validators; a test keeps the two equal). */
export const MAX_KEY_LENGTH = 512;

/** What Keysmith's verify input refuses as no text a key could hold: a control character or a lone surrogate (a test compares the two). */
const NOT_KEY_TEXT = /[\p{Cc}\p{Cs}]/u;

/**
 * Text no key can be: longer than the longest key Keysmith stores, or with
 * characters its verify input refuses, which Keysmith would answer with a
 * 400 rather than a code. Answering these here also bounds a batch: ten calls
 * of at most 512 characters (3 bytes each in UTF-8) stay within Keysmith's
 * 16 KiB body limit, so one caller's long value cannot make the others' calls
 * fail. The rules are restated here, not imported: the client takes only
 * types from the other packages, so a service's bundle does not carry zod.
 */
export function cannotBeKey(key: string): boolean {
  return key.length > MAX_KEY_LENGTH || NOT_KEY_TEXT.test(key);
}

/** The longest timeout Node's timers can set (2^31 - 1 ms); past it they fire at once, or throw. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Options that would fail every call, refused when the client is made: each
 * would otherwise surface on every request as "Keysmith could not be
 * reached", a 503 that sends people looking at the network. No message
 * quotes the credential or the url's password.
 */
function checkOptions(credential: string, options: KeysmithClientOptions): void {
  // visible ASCII: what a Bearer header can carry (a stray \r, a BOM or a curly quote from a document cannot)
  if (!/^[\x21-\x7e]+$/.test(credential)) {
    throw new TypeError("createKeysmithClient: the credential holds a character an HTTP header cannot carry (a space, a line break, a byte-order mark, a curly quote?): check how it was copied.");
  }
  const url = URL.parse(options.url);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new TypeError('createKeysmithClient: url must be Keysmith\'s http:// or https:// origin, like "https://keysmith.example.com".');
  }
  if (url.username || url.password) throw new TypeError("createKeysmithClient: url must not hold a user name or password; the client authenticates with its apiKey or token.");
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS) {
    throw new RangeError("createKeysmithClient: timeoutMs must be a whole number of milliseconds from 1 to 2,147,483,647.");
  }
}

/**
 * The typed tRPC client of Keysmith's whole router, authenticated as
 * `apiKey` or `token`. Calls made in the same tick go out as one batched
 * request (at most MAX_BATCH_ITEMS each); every failure rejects with a
 * KeysmithClientError.
 */
export function createKeysmithClient(options: KeysmithClientOptions): KeysmithClient {
  const credential = options.apiKey ?? options.token;
  // the types demand one; a JavaScript caller or an unset environment variable may still pass neither
  if (!credential) throw new TypeError("createKeysmithClient needs an apiKey or a token to call Keysmith with.");
  checkOptions(credential, options);
  const authorization = `Bearer ${credential}`;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      keysmithErrorLink,
      httpBatchLink({
        url: `${options.url.replace(/\/+$/, "")}/api/trpc`,
        maxItems: MAX_BATCH_ITEMS,
        // queries are batched into a GET: keep its URL within what proxies and Node's header limit accept
        maxURLLength: MAX_URL_LENGTH,
        headers: () => ({ authorization }),
        fetch: keysmithFetch(options.fetch ?? globalThis.fetch, options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      }),
    ],
  });
  const verifyKey = (key: string, verify: VerifyKeyOptions = {}): Promise<VerifyResult> =>
    cannotBeKey(key) ? Promise.resolve(malformed()) : trpc.apiKeys.verify.mutate({ key, cost: verify.cost, scopes: verify.scopes && [...verify.scopes] });
  // tRPC's client is a proxy that turns every property into a procedure path: verifyKey is answered before it
  return new Proxy(trpc, {
    get: (target, property, receiver) => (property === "verifyKey" ? verifyKey : (Reflect.get(target, property, receiver) as unknown)),
  }) as KeysmithClient;
}
