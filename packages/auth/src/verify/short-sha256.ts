import { hash, timingSafeEqual } from "node:crypto";

/** One 64-byte block holds the message, its 0x80 byte and its 8-byte length. */
const MAX_LENGTH = 55;

// the first 32 bits of the fractional parts of the cube roots of the first 64 primes
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// the first 32 bits of the fractional parts of the square roots of the first 8 primes
const H0 = 0x6a09e667 | 0;
const H1 = 0xbb67ae85 | 0;
const H2 = 0x3c6ef372 | 0;
const H3 = 0xa54ff53a | 0;
const H4 = 0x510e527f | 0;
const H5 = 0x9b05688c | 0;
const H6 = 0x1f83d9ab | 0;
const H7 = 0x5be0cd19 | 0;

const BASE64URL = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", "latin1");

// reused by every call: the process is single-threaded and nothing here awaits. The schedule is all zeros
// between calls (compressOneBlock leaves it so): a call writes its message over zeros.
const schedule = new Int32Array(64);
const digest = new Int32Array(8);
const text = Buffer.alloc(43);

/** Byte `i` (0–31) of the digest, big-endian within each word. */
function byteAt(i: number): number {
  return ((digest[i >> 2] as number) >>> (24 - (i & 3) * 8)) & 0xff;
}

/**
 * SHA-256 (FIPS 180-4) of a short ASCII string, as unpadded base64url: what
 * `hash("sha256", text, "base64url")` returns, for the text every warm
 * verification hashes twice (the caller's key and the key it asks about).
 *
 * Why not crypto.hash alone: a call into OpenSSL walks its provider lookup,
 * allocates and frees a digest context and crosses into C++ and back. In a
 * loop that is faster than this (0.8 µs against 1.4); but a server's request
 * touches far more memory than a loop, and on a machine whose caches keep
 * little between one request and the next, crypto.hash took 22–23 µs and
 * this 17–18 µs once 16 MiB of other memory had been touched
 * (apps/server/bench/cold-cache.ts), and apps/server spent about 10 µs less a
 * verification at c=32 (docs/performance.md, "Eleventh look"). Its working
 * set is one function, a 64-word table and three small arrays.
 *
 * Only what fits one 64-byte block is computed here: ASCII text of at most 55
 * characters (a Keysmith key is 46). Anything else goes to crypto.hash. A
 * property test holds it to crypto.hash over random and edge-length text.
 */
export function shortSha256Base64url(value: string): string {
  if (!writeShortAscii(value)) return hash("sha256", value, "base64url");
  compressOneBlock(value.length);
  // 32 bytes: ten groups of three bytes (four characters each), then two bytes (three characters, unpadded)
  let out = 0;
  for (let i = 0; i < 30; i += 3) {
    const v = (byteAt(i) << 16) | (byteAt(i + 1) << 8) | byteAt(i + 2);
    text[out++] = BASE64URL[v >>> 18] as number;
    text[out++] = BASE64URL[(v >>> 12) & 63] as number;
    text[out++] = BASE64URL[(v >>> 6) & 63] as number;
    text[out++] = BASE64URL[v & 63] as number;
  }
  const last = (byteAt(30) << 8) | byteAt(31);
  text[out++] = BASE64URL[last >>> 10] as number;
  text[out++] = BASE64URL[(last >>> 4) & 63] as number;
  text[out] = BASE64URL[(last << 2) & 63] as number;
  return text.toString("latin1");
}

/**
 * Whether the SHA-256 of `value` is `expected` (32 bytes), compared in
 * constant time: every byte is compared, wherever the first difference is.
 * For a session's or access token's secret, which every request carrying one
 * hashes and compares with the stored hash, for the reasons given at
 * shortSha256Base64url (and timingSafeEqual is another call into C++).
 * Text that is longer or not ASCII goes to crypto.hash and timingSafeEqual.
 */
export function shortSha256Equals(value: string, expected: Uint8Array): boolean {
  if (expected.length !== 32) return false;
  if (!writeShortAscii(value)) return timingSafeEqual(hash("sha256", value, "buffer"), expected);
  compressOneBlock(value.length);
  let difference = 0;
  for (let i = 0; i < 32; i++) difference |= byteAt(i) ^ (expected[i] as number);
  return difference === 0;
}

/**
 * Writes `value` into the schedule's first words as the message of one block,
 * big-endian, when it fits one (at most 55 characters) and is ASCII; false,
 * with the schedule left all zeros, when not: then crypto.hash must do it.
 */
function writeShortAscii(value: string): boolean {
  const n = value.length;
  if (n > MAX_LENGTH) return false;
  const w = schedule;
  let codes = 0;
  for (let i = 0; i < n; i++) {
    const code = value.charCodeAt(i);
    codes |= code;
    w[i >> 2] = (w[i >> 2] as number) | (code << (24 - (i & 3) * 8));
  }
  // not ASCII: its UTF-8 bytes are not its UTF-16 code units
  if (codes > 0x7f) {
    // the words written so far: zeros again, as between calls
    w.fill(0, 0, 16);
    return false;
  }
  return true;
}

/**
 * The first four bytes of the SHA-256 of `bytes` (at most 55 of them), as a
 * big-endian signed 32-bit integer: what `readInt32BE(0)` of
 * `hash("sha256", bytes, "buffer")` reads. For a key's checksum, which a cold
 * verification computes before its lookup, for the reasons given at
 * shortSha256Base64url.
 */
export function shortSha256FirstWord(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > MAX_LENGTH) throw new RangeError(`shortSha256FirstWord hashes at most ${MAX_LENGTH} bytes, not ${n}.`);
  const w = schedule;
  for (let i = 0; i < n; i++) w[i >> 2] = (w[i >> 2] as number) | ((bytes[i] as number) << (24 - (i & 3) * 8));
  compressOneBlock(n);
  return digest[0] as number;
}

/**
 * The digest of the one block whose first `n` bytes (n ≤ 55) are in
 * `schedule`'s first words, big-endian, the rest zero: padded here. The
 * schedule then holds the message (a key, for every caller here) and words it
 * can be computed back from, so it is zeroed once the digest is made: no key
 * outlives its hashing in this module's memory, and the next call starts on
 * zeros.
 */
function compressOneBlock(n: number): void {
  const w = schedule;
  // a 1 bit after the message, and its length in bits in the last word
  w[n >> 2] = (w[n >> 2] as number) | (0x80 << (24 - (n & 3) * 8));
  w[15] = n * 8;
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15] as number;
    const w2 = w[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = H0;
  let b = H1;
  let c = H2;
  let d = H3;
  let e = H4;
  let f = H5;
  let g = H6;
  let h = H7;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  digest[0] = a + H0;
  digest[1] = b + H1;
  digest[2] = c + H2;
  digest[3] = d + H3;
  digest[4] = e + H4;
  digest[5] = f + H5;
  digest[6] = g + H6;
  digest[7] = h + H7;
  w.fill(0);
}
