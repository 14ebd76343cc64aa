import { getRandomValues, hash } from "node:crypto";

// Lucia's alphabet: lowercase letters and digits without look-alikes (0, 1, l, o).
const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** 24 characters of 5 random bits each: 120 bits, as in Lucia's guide. */
export function secureRandomString(): string {
  const bytes = getRandomValues(new Uint8Array(24));
  let out = "";
  for (const byte of bytes) out += ALPHABET.charAt(byte >> 3);
  return out;
}

/**
 * As a Uint8Array over a plain ArrayBuffer, the type Prisma's Bytes columns
 * take. The one-shot crypto.hash: about half the cost of createHash, and every
 * verification hashes the presented key.
 */
export function sha256(value: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(hash("sha256", value, "buffer"));
}
