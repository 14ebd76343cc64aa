import { hash } from "node:crypto";

import fc from "fast-check";
import { describe, expect, test } from "vitest";

import { apiKeyDisplayPrefix, checkApiKeyFormat, generateApiKey, hashApiKey, hashApiKeyHex } from "../src/index.ts";

describe("the API key format", () => {
  test("is ak_ and 43 URL-safe base64 characters, different every time", () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
      expect(checkApiKeyFormat(key)).toBeUndefined();
    }
  });

  test("the documented example key is not a Keysmith key (its checksum is wrong)", () => {
    expect(checkApiKeyFormat("ak_W4KL0Rw8Rv6Mp7h7fY77dFgHDl_EMAojslklxhMI9-0")).toBe("checksum");
  });

  test("names what is wrong with a bad key", () => {
    const key = generateApiKey();
    expect(checkApiKeyFormat(`sk_${key.slice(3)}`)).toBe("prefix");
    expect(checkApiKeyFormat(key.slice(0, -1))).toBe("length");
    expect(checkApiKeyFormat(`${key}A`)).toBe("length");
    expect(checkApiKeyFormat(`${key.slice(0, -1)}é`)).toBe("characters");
    expect(checkApiKeyFormat(`${key.slice(0, -1)}+`)).toBe("characters");
  });

  test("every single-character substitution, at every position and with every other URL-safe character, is refused", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const key of [generateApiKey(), generateApiKey(), generateApiKey()]) {
      let tried = 0;
      for (let i = 0; i < key.length; i += 1) {
        for (const substitute of alphabet) {
          if (substitute === key[i]) continue;
          const typo = key.slice(0, i) + substitute + key.slice(i + 1);
          expect(checkApiKeyFormat(typo), `${substitute} at position ${i}`).not.toBeUndefined();
          tried += 1;
        }
      }
      expect(tried).toBe(key.length * 63);
    }
  });

  test("checkApiKeyFormat answers as the format's definition does (OpenSSL's SHA-256 for the checksum, a decode and re-encode for the spelling) for random and generated bodies and every last character", () => {
    const context = Buffer.from("keysmith-api-key-v1");
    // the definition, written out: 32 bytes, canonically spelled, the last 4 the start of SHA-256(context ‖ the first 28)
    const byDefinition = (key: string) => {
      const body = key.slice(3);
      if (!/^[A-Za-z0-9_-]{43}$/.test(body)) return "characters";
      const bytes = Buffer.from(body, "base64url");
      if (bytes.length !== 32 || bytes.toString("base64url") !== body) return "characters";
      const expected = hash("sha256", Buffer.concat([context, bytes.subarray(0, 28)]), "buffer").subarray(0, 4);
      return expected.equals(bytes.subarray(28)) ? undefined : "checksum";
    };
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const body = fc.string({ unit: fc.constantFrom(...alphabet.split("")), minLength: 43, maxLength: 43 });
    fc.assert(
      fc.property(body, (random) => {
        expect(checkApiKeyFormat(`ak_${random}`)).toBe(byDefinition(`ak_${random}`));
      }),
      { numRuns: 2_000 },
    );
    for (let i = 0; i < 50; i += 1) {
      const key = generateApiKey();
      for (const last of alphabet) {
        const respelled = key.slice(0, -1) + last;
        expect(checkApiKeyFormat(respelled), respelled).toBe(byDefinition(respelled));
      }
    }
  });

  test("the display prefix carries 4 characters of the key and no more", () => {
    const key = generateApiKey();
    expect(apiKeyDisplayPrefix(key)).toBe(key.slice(0, 7));
  });

  test("hashApiKeyHex is hashApiKey's digest as lowercase hex, for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 120 }), (key) => {
        expect(hashApiKeyHex(key)).toBe(Buffer.from(hashApiKey(key)).toString("hex"));
        expect(hashApiKeyHex(key)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });
});
