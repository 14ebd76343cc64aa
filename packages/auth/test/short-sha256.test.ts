import { hash } from "node:crypto";

import fc from "fast-check";
import { expect, test } from "vitest";

import { generateApiKey } from "../src/api-key-format.ts";
import { shortSha256Base64url, shortSha256Equals, shortSha256FirstWord } from "../src/verify/short-sha256.ts";

const nodeSha256 = (text: string) => hash("sha256", text, "base64url");

// The computation branches on nothing but the length, so every length with random characters covers every path.
test("shortSha256Base64url equals crypto.hash's base64url SHA-256 for ASCII text of every length from 0 to 55", () => {
  for (let length = 0; length <= 55; length++) {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), minLength: length, maxLength: length }), (text) => {
        expect(shortSha256Base64url(text)).toBe(nodeSha256(text));
      }),
      { numRuns: 50 },
    );
  }
});

test("shortSha256Base64url equals crypto.hash's for the published vectors, generated keys, longer text and non-ASCII text", () => {
  // FIPS 180-4's examples: "abc" and the empty string
  expect(shortSha256Base64url("abc")).toBe(Buffer.from("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "hex").toString("base64url"));
  expect(shortSha256Base64url("")).toBe(Buffer.from("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "hex").toString("base64url"));
  for (let i = 0; i < 200; i++) {
    const key = generateApiKey();
    expect(shortSha256Base64url(key)).toBe(nodeSha256(key));
  }
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
      expect(shortSha256Base64url(text)).toBe(nodeSha256(text));
    }),
    { numRuns: 2_000 },
  );
  for (const text of ["x".repeat(56), "x".repeat(64), "ak_é", `${"a".repeat(54)}\u0080`, "🔑"]) expect(shortSha256Base64url(text)).toBe(nodeSha256(text));
});

test("shortSha256FirstWord equals the first four bytes of crypto.hash's SHA-256, as a big-endian int32, for bytes of every length from 0 to 55", () => {
  for (let length = 0; length <= 55; length++) {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: length, maxLength: length }), (bytes) => {
        expect(shortSha256FirstWord(bytes)).toBe(hash("sha256", bytes, "buffer").readInt32BE(0));
      }),
      { numRuns: 50 },
    );
  }
  // FIPS 180-4's "abc": ba7816bf…
  expect(shortSha256FirstWord(Buffer.from("abc"))).toBe(0xba7816bf | 0);
});

test("shortSha256FirstWord refuses more than 55 bytes with a RangeError", () => {
  expect(() => shortSha256FirstWord(new Uint8Array(56))).toThrow(RangeError);
});

/** `digest` with bit `bit` (0–255) flipped. */
const flipped = (digest: Uint8Array, bit: number) => {
  const copy = Uint8Array.from(digest);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
};

test("shortSha256Equals is true for crypto.hash's SHA-256 of the text and false with a random bit of it flipped, for ASCII text of every length from 0 to 55", () => {
  for (let length = 0; length <= 55; length++) {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), minLength: length, maxLength: length }), fc.integer({ min: 0, max: 255 }), (text, bit) => {
        const digest = hash("sha256", text, "buffer");
        expect(shortSha256Equals(text, digest)).toBe(true);
        expect(shortSha256Equals(text, flipped(digest, bit))).toBe(false);
      }),
      { numRuns: 50 },
    );
  }
});

test("shortSha256Equals is false with any one of the 256 bits of the digest flipped, for a session secret and a key", () => {
  for (const text of ["abcdefghijkmnpqrstuvwxyz", generateApiKey()]) {
    const digest = hash("sha256", text, "buffer");
    for (let bit = 0; bit < 256; bit++) expect(shortSha256Equals(text, flipped(digest, bit))).toBe(false);
  }
});

/** A text whose SHA-256 ends in a zero byte: its digest less that byte is a 31-byte prefix that a comparison of 32 bytes reading past the end (as 0) would pass. */
function textWithDigestEndingInZero(): string {
  for (let i = 0; ; i++) if (hash("sha256", `t${i}`, "buffer")[31] === 0) return `t${i}`;
}

test("shortSha256Equals agrees with crypto.hash for longer and non-ASCII text, and is false for a digest that is not 32 bytes", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.integer({ min: 0, max: 255 }), (text, bit) => {
      const digest = hash("sha256", text, "buffer");
      expect(shortSha256Equals(text, digest)).toBe(true);
      expect(shortSha256Equals(text, flipped(digest, bit))).toBe(false);
    }),
    { numRuns: 2_000 },
  );
  for (const text of ["x".repeat(56), "🔑", `${"a".repeat(54)}\u0080`]) expect(shortSha256Equals(text, hash("sha256", text, "buffer"))).toBe(true);
  // the right digest with a byte more, and one less (a byte that reads as 0 past the end)
  expect(shortSha256Equals("abc", Buffer.concat([hash("sha256", "abc", "buffer"), Buffer.from([0])]))).toBe(false);
  const short = textWithDigestEndingInZero();
  expect(shortSha256Equals(short, hash("sha256", short, "buffer").subarray(0, 31))).toBe(false);
  expect(shortSha256Equals("x".repeat(60), hash("sha256", "x".repeat(60), "buffer").subarray(0, 31))).toBe(false);
});

test("after shortSha256Equals of a non-ASCII text, the next hash is still right (the words it wrote were cleared)", () => {
  expect(shortSha256Equals(`${"z".repeat(30)}é`, hash("sha256", `${"z".repeat(30)}é`, "buffer"))).toBe(true);
  expect(shortSha256Base64url("abc")).toBe(nodeSha256("abc"));
});
