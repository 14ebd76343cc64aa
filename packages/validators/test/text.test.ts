import { describe, expect, test } from "vitest";
import { type z } from "zod";

import {
  KeysmithError,
  parseInput,
  textField,
  ZCreateApiKeyInput,
  ZLoginInput,
  ZRollApiKeyInput,
  ZSignUpInput,
  ZVerifyInput,
} from "../src/index.ts";

const signUp = { username: "ada.l", email: "ada@example.com", name: "Ada Lovelace", password: "a long password" };
const login = { username: "ada.l", password: "a long password" };
const create = { name: "my-service", description: "For the billing job" };
const verify = { key: "ak_anything" };

/** Every text field of every input schema: [input, field, how messages name it, schema, a valid input]. */
const TEXT_FIELDS: [string, string, string, z.ZodType, Record<string, unknown>][] = [
  ["sign-up", "username", "Username", ZSignUpInput, signUp],
  ["sign-up", "email", "Email", ZSignUpInput, signUp],
  ["sign-up", "name", "Name", ZSignUpInput, signUp],
  ["sign-up", "password", "Password", ZSignUpInput, signUp],
  ["login", "username", "Username", ZLoginInput, login],
  ["login", "password", "Password", ZLoginInput, login],
  ["create key", "name", "Name", ZCreateApiKeyInput, create],
  ["create key", "description", "Description", ZCreateApiKeyInput, create],
  ["verify", "key", "key", ZVerifyInput, verify],
];

/** The KeysmithError parseInput throws for `input`. */
function refusal(schema: z.ZodType, input: unknown): KeysmithError {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof KeysmithError) return error;
    throw error;
  }
  throw new Error("the input was accepted");
}

describe("every text field of every input schema", () => {
  test("the valid inputs the table starts from are accepted", () => {
    for (const [, , , schema, valid] of TEXT_FIELDS) expect(schema.safeParse(valid).success).toBe(true);
  });

  test.each(TEXT_FIELDS)("%s %s: NUL inside the text is a BAD_REQUEST naming the field and the character", (_, field, label, schema, valid) => {
    const value = String(valid[field]);
    const error = refusal(schema, { ...valid, [field]: `${value.slice(0, 2)}\u0000${value.slice(2)}` });
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details.fields).toEqual({ [field]: [expect.stringMatching(new RegExp(`^${label} cannot contain control characters \\(like NUL`))] });
    expect(error.message).toBe(error.details.fields?.[field]?.[0]);
  });

  test.each(TEXT_FIELDS)("%s %s: a lone surrogate is a BAD_REQUEST saying the text is not valid Unicode", (_, field, label, schema, valid) => {
    for (const surrogate of ["\ud800", "\udfff", "\udbff"]) {
      const value = String(valid[field]);
      const error = refusal(schema, { ...valid, [field]: `${value.slice(0, 2)}${surrogate}${value.slice(2)}` });
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.details.fields).toEqual({ [field]: [`${label} is not valid Unicode: it holds a lone surrogate (like \\ud800); send the text as well-formed UTF-8 or UTF-16.`] });
    }
  });

  test.each(TEXT_FIELDS)("%s %s: a reversed surrogate pair (low then high) is refused as lone surrogates", (_, field, __, schema, valid) => {
    const error = refusal(schema, { ...valid, [field]: `ab\udc00\ud800cd` });
    expect(error.details.fields?.[field]?.[0]).toMatch(/lone surrogate/);
  });
});

describe("one-line fields", () => {
  const ONE_LINE = TEXT_FIELDS.filter(([, field]) => field !== "description");

  test.each(ONE_LINE)("%s %s: refuses every C0 control character, DEL and C1 controls between other characters", (_, field, __, schema, valid) => {
    const controls = [...Array.from({ length: 0x20 }, (___, code) => code), 0x7f, 0x80, 0x85, 0x9f];
    for (const code of controls) {
      const value = String(valid[field]);
      const result = schema.safeParse({ ...valid, [field]: `${value.slice(0, 2)}${String.fromCharCode(code)}${value.slice(2)}` });
      expect(result.success, `U+${code.toString(16).padStart(4, "0")} in ${field}`).toBe(false);
    }
  });

  test("a trimmed field accepts a trailing line break or tab: trimming removes it before the check", () => {
    expect(ZCreateApiKeyInput.parse({ name: "\tmy-service\r\n" }).name).toBe("my-service");
    expect(ZLoginInput.parse({ username: " Ada.L\n", password: "pw" }).username).toBe("ada.l");
    expect(ZSignUpInput.parse({ ...signUp, name: "Ada Lovelace\n" }).name).toBe("Ada Lovelace");
  });

  test("a password keeps surrounding spaces but not a trailing line break", () => {
    expect(ZSignUpInput.parse({ ...signUp, password: "  spaced pass  " }).password).toBe("  spaced pass  ");
    expect(ZSignUpInput.safeParse({ ...signUp, password: "a long password\n" }).success).toBe(false);
    expect(ZLoginInput.safeParse({ ...login, password: "a long password\n" }).success).toBe(false);
  });

  test("accepts what people do type: accents, other scripts, emoji (surrogate pairs), right-to-left text and its marks", () => {
    const names = ["Zoë Ångström", "Łukasz Żółć", "名前", "مفتاح الدفع", "\u202eyek\u202c", "🔑 payments 👩🏽‍💻", "\u{1d4b3}"];
    for (const name of names) {
      expect(ZCreateApiKeyInput.parse({ name }).name).toBe(name);
      expect(ZSignUpInput.parse({ ...signUp, name }).name).toBe(name);
      expect(ZLoginInput.parse({ username: "ada", password: `pw ${name}` }).password).toBe(`pw ${name}`);
    }
  });

  test("a refused character is the field's only message: the checks after it do not pile on", () => {
    // "\u0000" alone would also break the username's length and character rules
    expect(refusal(ZSignUpInput, { ...signUp, username: "\u0000" }).details.fields).toEqual({
      username: ["Username cannot contain control characters (like NUL, a tab or a line break); remove them."],
    });
    expect(refusal(ZSignUpInput, { ...signUp, email: "x\ud800" }).details.fields).toEqual({
      email: [expect.stringMatching(/^Email is not valid Unicode/)],
    });
  });

  test("every failing field is named at once, each with its own reason", () => {
    const error = refusal(ZSignUpInput, { username: "ab\u0000c", email: "a\ud800@example.com", name: "ok", password: "short" });
    expect(Object.keys(error.details.fields ?? {}).sort()).toEqual(["email", "password", "username"]);
    expect(error.details.fields?.password).toEqual(["Password must be at least 8 characters."]);
  });
});

describe("the key description", () => {
  test("keeps tabs and line breaks inside it, as a textarea sends them", () => {
    const description = "Line one\r\nLine two\n\tindented";
    expect(ZCreateApiKeyInput.parse({ name: "k", description }).description).toBe(description);
  });

  test.each([
    ["NUL", "\u0000"],
    ["escape", "\u001b[31m"],
    ["vertical tab", "\u000b"],
    ["form feed", "\u000c"],
    ["DEL", "\u007f"],
    ["a C1 control", "\u0085"],
  ])("refuses %s between other characters, naming the field", (_, bad) => {
    expect(refusal(ZCreateApiKeyInput, { name: "k", description: `before ${bad} after` }).details.fields).toEqual({
      description: ["Description cannot contain control characters (like NUL) other than tabs and line breaks; remove them."],
    });
  });

  test("still means none when empty or only whitespace", () => {
    expect(ZCreateApiKeyInput.parse({ name: "k", description: " \n\t " }).description).toBeNull();
    expect(ZCreateApiKeyInput.parse({ name: "k", description: null }).description).toBeNull();
  });
});

describe("the verify key", () => {
  test("text that is merely not a key is accepted, so verification answers MALFORMED rather than 400", () => {
    for (const key of ["", "ak_", "not a key", "x".repeat(10_000), "ak_🔑"]) expect(ZVerifyInput.parse({ key }).key).toBe(key);
  });

  test("is not trimmed: a key with spaces around it is a different (malformed) key", () => {
    expect(ZVerifyInput.parse({ key: " ak_x " }).key).toBe(" ak_x ");
  });
});

describe("fields that are not free text are unaffected", () => {
  test("roll's grace_seconds and the key id refuse NUL through their own rules", () => {
    expect(refusal(ZRollApiKeyInput, { id: 1, grace_seconds: "1\u0000" }).details.fields).toHaveProperty("grace_seconds");
    expect(refusal(ZCreateApiKeyInput, { name: "k", scopes: "keys:read\u0000" }).details.fields).toHaveProperty("scopes");
    expect(refusal(ZCreateApiKeyInput, { name: "k", expires_at: "2099-01-01T00:00:00Z\u0000" }).details.fields).toHaveProperty("expires_at");
  });
});

describe("textField", () => {
  test("names the field in its required and type messages", () => {
    const field = textField("Nickname");
    expect(field.safeParse(undefined).error?.issues[0]?.message).toBe("Nickname is required.");
    expect(field.safeParse(5).error?.issues[0]?.message).toBe("Nickname must be text.");
  });

  test("trims unless told not to, and checks the text after trimming", () => {
    expect(textField("Nickname").parse("  x\n")).toBe("x");
    expect(textField("Nickname", { trim: false }).safeParse("  x\n").success).toBe(false);
    expect(textField("Nickname", { trim: false }).parse("  x  ")).toBe("  x  ");
  });
});
