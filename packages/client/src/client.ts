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
  scopes?: Scope[];
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
  const verifyKey = (key: string, verify: VerifyKeyOptions = {}) => trpc.apiKeys.verify.mutate({ key, ...verify });
  // tRPC's client is a proxy that turns every property into a procedure path: verifyKey is answered before it
  return new Proxy(trpc, {
    get: (target, property, receiver) => (property === "verifyKey" ? verifyKey : (Reflect.get(target, property, receiver) as unknown)),
  }) as KeysmithClient;
}
