import { hash, randomFillSync } from "node:crypto";

import { LIMITS } from "@keysmith/validators";

import { sha256 } from "./random.ts";
import { shortSha256FirstWord } from "./verify/short-sha256.ts";

/**
 * A Keysmith API key: `ak_` + 43 URL-safe base64 characters encoding 32
 * bytes = 28 random bytes (224 bits) + a 4-byte checksum of them. The checksum
 * lets a mistyped or invented key be refused without a database lookup, and
 * lets secret scanners recognise real keys.
 */
export const API_KEY_PREFIX = "ak_";
const RANDOM_BYTES = 28;
const CHECKSUM_BYTES = 4;
const BODY_LENGTH = 43;

const CHECKSUM_CONTEXT = Buffer.from("keysmith-api-key-v1");
// the checksum's input, the context then a key's random bytes (47 bytes: one SHA-256 block), reused by every call
const CHECKSUM_INPUT = new Uint8Array(CHECKSUM_CONTEXT.length + RANDOM_BYTES);
CHECKSUM_INPUT.set(CHECKSUM_CONTEXT);
// 43 characters carry 258 bits, 2 more than the 32 bytes: the canonical spelling leaves them zero, so the last
// character is one whose value in the alphabet is a multiple of 4
const CANONICAL_LAST = "AEIMQUYcgkosw048";

/**
 * A key's checksum: the first 4 bytes of SHA-256 of the context and its
 * random bytes, as a big-endian int32. Computed in JavaScript (one block; see
 * shortSha256FirstWord): a cold verification checks it before its lookup.
 */
function checksum(random: Uint8Array): number {
  CHECKSUM_INPUT.set(random, CHECKSUM_CONTEXT.length);
  const word = shortSha256FirstWord(CHECKSUM_INPUT);
  // the random bytes are the key: not kept past its check
  CHECKSUM_INPUT.fill(0, CHECKSUM_CONTEXT.length);
  return word;
}

export function generateApiKey(): string {
  // not from the shared pool of allocUnsafe: these bytes are the key
  const bytes = Buffer.alloc(RANDOM_BYTES + CHECKSUM_BYTES);
  randomFillSync(bytes, 0, RANDOM_BYTES);
  bytes.writeInt32BE(checksum(bytes.subarray(0, RANDOM_BYTES)), RANDOM_BYTES);
  return API_KEY_PREFIX + bytes.toString("base64url");
}

export type KeyFormatProblem = "prefix" | "length" | "characters" | "checksum";

/** Whether `value` has a key's prefix and length: a cheap first test, before anything is hashed. */
export function hasApiKeyShape(value: string): boolean {
  return value.length === API_KEY_PREFIX.length + BODY_LENGTH && value.startsWith(API_KEY_PREFIX);
}

/** Checks a presented key's shape and checksum; no I/O. */
export function checkApiKeyFormat(value: string): KeyFormatProblem | undefined {
  if (!value.startsWith(API_KEY_PREFIX)) return "prefix";
  const body = value.slice(API_KEY_PREFIX.length);
  if (body.length !== BODY_LENGTH) return "length";
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return "characters";
  // only the canonical spelling counts: no two spellings of one key
  if (!CANONICAL_LAST.includes(body.charAt(BODY_LENGTH - 1))) return "characters";
  const bytes = Buffer.from(body, "base64url");
  return checksum(bytes.subarray(0, RANDOM_BYTES)) === bytes.readInt32BE(RANDOM_BYTES) ? undefined : "checksum";
}

/**
 * What is stored: SHA-256 of the whole key. Keys carry 224 random bits, so a
 * fast unsalted hash cannot be reversed by guessing, and a lookup by hash is
 * one indexed query. (An HMAC with a server secret would add protection only
 * if the database leaked without the secret, at the cost of a secret to keep
 * and rotate; see README.)
 */
export function hashApiKey(key: string): Uint8Array<ArrayBuffer> {
  return sha256(key);
}

/** hashApiKey(key) as hex, made by OpenSSL at once: an import sends a thousand hashes as text, and copying each digest into bytes first and then encoding it took as long as hashing it. */
export function hashApiKeyHex(key: string): string {
  return hash("sha256", key, "hex");
}

export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, LIMITS.keyDisplayPrefix.length);
}

/**
 * `text` (a path a client sent, say) with everything that could be a key cut
 * to as much as the key list shows: an error that quotes the request must not
 * quote a key back, into a log, a proxy's error page or a screenshot. Any run
 * of 20 or more of the characters a key, or its percent-encoding, is made of
 * counts: a key spelled "%61k_…" or cut short is still most of a key.
 */
export function withKeysHidden(text: string): string {
  return text.replace(/[A-Za-z0-9_%-]{20,}/g, (run) => `${apiKeyDisplayPrefix(run)}…`);
}
