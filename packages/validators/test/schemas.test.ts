import { describe, expect, test } from "vitest";
import { type z } from "zod";

import { KeysmithError, LIMITS, parseInput, ZImportApiKeyItem, ZLoginInput, ZCreateApiKeyInput, ZRollApiKeyInput, ZSignUpInput, ZVerifyInput } from "../src/index.ts";

describe("sign-up schema", () => {
  test("trims and lowercases username and email, trims the name, keeps the password as typed", () => {
    expect(ZSignUpInput.parse({ username: " Ada.L ", email: " Ada@Example.COM ", name: "  Ada Lovelace ", password: "  spaced pass  " })).toEqual({
      username: "ada.l",
      email: "ada@example.com",
      name: "Ada Lovelace",
      password: "  spaced pass  ",
    });
  });

  test("enforces the documented limits", () => {
    const ok = { username: "abc", email: "a@b.co", name: "N", password: "x".repeat(LIMITS.password.min) };
    expect(ZSignUpInput.safeParse(ok).success).toBe(true);
    expect(ZSignUpInput.safeParse({ ...ok, username: "x".repeat(LIMITS.username.max + 1) }).success).toBe(false);
    expect(ZSignUpInput.safeParse({ ...ok, name: "x".repeat(LIMITS.name.max + 1) }).success).toBe(false);
    expect(ZSignUpInput.safeParse({ ...ok, email: `${"x".repeat(LIMITS.email.max)}@b.co` }).success).toBe(false);
    expect(ZSignUpInput.safeParse({ ...ok, password: "x".repeat(LIMITS.password.max + 1) }).success).toBe(false);
  });
});

describe("parseInput", () => {
  test("returns parsed data", () => {
    expect(parseInput(ZLoginInput, { username: " Bob ", password: "pw" })).toEqual({ username: "bob", password: "pw" });
  });

  test("fails with a BAD_REQUEST KeysmithError naming every failing field", () => {
    let caught: unknown;
    try {
      parseInput(ZLoginInput, { username: 3 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeysmithError);
    expect(caught).toMatchObject({
      code: "BAD_REQUEST",
      message: "Username must be text.",
      details: { fields: { username: ["Username must be text."], password: ["Password is required."] } },
    });
  });

  test("a non-object input is reported as a general error", () => {
    expect(() => parseInput(ZLoginInput, "nope")).toThrow(KeysmithError);
  });
});

describe("verify's input", () => {
  test("is typed for tRPC callers as scopes: a list or text, cost: a number or digits (a number of scopes or a boolean cost does not compile), and -1 as text is refused as negative", () => {
    const good: z.input<typeof ZVerifyInput> = { key: "ak_x", scopes: ["keys:read"], cost: "2" };
    // @ts-expect-error: scopes is a list or text
    const badScopes: z.input<typeof ZVerifyInput> = { key: "ak_x", scopes: 42 };
    // @ts-expect-error: cost is a number or digits
    const badCost: z.input<typeof ZVerifyInput> = { key: "ak_x", cost: true };
    expect(ZVerifyInput.parse(good)).toEqual({ key: "ak_x", scopes: ["keys:read"], cost: 2 });
    expect(ZVerifyInput.safeParse(badScopes).error?.issues.map((issue) => issue.message)).toEqual(['scopes must be a list, like ["keys:read"].']);
    expect(ZVerifyInput.safeParse(badCost).success).toBe(false);
    expect(ZVerifyInput.safeParse({ key: "ak_x", cost: "-1" }).error?.issues.map((issue) => issue.message)).toEqual(["cost cannot be negative; 0 checks the key without spending credits."]);
  });
});

describe("roll's grace_seconds", () => {
  test("as text, -5 is refused as negative, as -5 as a number is", () => {
    const messages = (grace: unknown) => ZRollApiKeyInput.safeParse({ id: 1, grace_seconds: grace }).error?.issues.map((issue) => issue.message);
    expect(messages("-5")).toEqual(["grace_seconds cannot be negative; 0 revokes the old key at once."]);
    expect(messages(-5)).toEqual(messages("-5"));
  });
});

describe("a key's name", () => {
  test.each([
    ["only a zero-width space", "\u200b", "Name must have a character you can see: it holds only invisible ones."],
    ["only a right-to-left override", "\u202e", "Name must have a character you can see: it holds only invisible ones."],
  ])("of %s is refused with its own message", (_, name, message) => {
    expect(ZCreateApiKeyInput.safeParse({ name }).error?.issues.map((issue) => issue.message)).toEqual([message]);
  });

  test("with a zero-width joiner inside an emoji is kept as given", () => {
    expect(ZCreateApiKeyInput.parse({ name: "team 👩‍💻" }).name).toBe("team 👩‍💻");
  });
});

describe("an imported key", () => {
  const messages = (key: string) => ZImportApiKeyItem.safeParse({ key, name: "imported" }).error?.issues.map((issue) => issue.message) ?? [];

  test("is measured in UTF-16 code units, as verification measures it: 8 emoji (16 units) and 256 (512 units) pass, 7 emoji (14 units) and 257 (514 units) are refused", () => {
    expect(messages("😀".repeat(8))).toEqual([]);
    expect(messages("😀".repeat(256))).toEqual([]);
    expect(messages("😀".repeat(7))).toEqual(["key must be at least 16 characters: a shorter key could be guessed."]);
    expect(messages("😀".repeat(257))).toEqual(["key can be at most 512 characters, counted in UTF-16 code units as JavaScript counts them (an emoji is 2)."]);
  });

  test("with a space, a no-break space or an ideographic space before or after it is refused (not trimmed), saying to remove the spaces around it; spaces inside are kept", () => {
    const spaced = "key starts or ends with spaces: remove the spaces around it. The key is stored exactly as sent, and with them it would never match the real one.";
    for (const key of [" sk_live_0123456789abcdef", "sk_live_0123456789abcdef ", "\u00a0sk_live_0123456789abcdef", "sk_live_0123456789abcdef\u3000"]) {
      expect(messages(key), JSON.stringify(key)).toEqual([spaced]);
    }
    expect(ZImportApiKeyItem.parse({ key: "sk live 0123456789abcdef", name: "imported" }).key).toBe("sk live 0123456789abcdef");
  });
});
