import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { afterAll, describe, expect, test } from "vitest";

import { checkApiKeyFormat, generateApiKey } from "../src/index.ts";

// docs/key-format.md and docs/gitleaks.toml, checked against the real key format
const docsDir = new URL("../../../docs/", import.meta.url);
const doc = readFileSync(new URL("key-format.md", docsDir), "utf8");
const toml = readFileSync(new URL("gitleaks.toml", docsDir), "utf8");

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const keys = Array.from({ length: 1000 }, generateApiKey);

/** The one line `name = value` of the TOML file (it has a single rule). */
function tomlLine(name: string): string {
  const lines = toml.split("\n").filter((line) => line.startsWith(`${name} = `));
  expect(lines, name).toHaveLength(1);
  return (lines[0] ?? "").slice(name.length + 3);
}

let compiledRule: RegExp | undefined;

/** The rule's regex, from its `regex = '''…'''` line. */
function ruleRegex(): RegExp {
  if (!compiledRule) {
    const literal = /^'''(.+)'''$/.exec(tomlLine("regex"))?.[1];
    if (!literal) throw new Error("no regex = '''…''' line in gitleaks.toml");
    compiledRule = new RegExp(literal, "g");
  }
  return compiledRule;
}

/** What gitleaks reports with secretGroup = 1: group 1 of each non-overlapping match. */
function ruleFinds(text: string): string[] {
  return [...text.matchAll(ruleRegex())].map((match) => match[1] ?? "");
}

/** gitleaks' Shannon entropy: bits per character over the characters' frequencies. */
function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) entropy -= (count / value.length) * Math.log2(count / value.length);
  return entropy;
}

function withCharAt(key: string, position: number, char: string): string {
  return key.slice(0, position) + char + key.slice(position + 1);
}

/** The next character of the alphabet: a substitution that keeps the key's shape. */
function nextChar(char: string): string {
  return ALPHABET[(ALPHABET.indexOf(char) + 1) % ALPHABET.length] ?? "";
}

function exampleKey(label: string): string {
  const found = new RegExp(`^- \\*\\*${label}:\\*\\* \`(ak_[^\`]*)\``, "m").exec(doc)?.[1];
  if (!found) throw new Error(`no "${label}" example key in key-format.md`);
  return found;
}

describe("docs/gitleaks.toml", () => {
  test("has one [[rules]] with id keysmith-api-key, secretGroup 1, keywords [\"ak_\"], entropy 3.5, and [extend] useDefault = true", () => {
    expect(toml.match(/^\[\[rules\]\]$/gm)).toHaveLength(1);
    expect(tomlLine("id")).toBe('"keysmith-api-key"');
    expect(tomlLine("secretGroup")).toBe("1");
    expect(tomlLine("keywords")).toBe('["ak_"]');
    expect(tomlLine("entropy")).toBe("3.5");
    expect(toml).toMatch(/^\[extend\]\nuseDefault = true$/m);
  });

  test("its regex, compiled in JavaScript, finds each of 1,000 generated keys in `token: \"…\"`, `KEY=…` and a URL query, and group 1 is exactly the key", () => {
    for (const key of keys) {
      expect(ruleFinds(`token: "${key}"`)).toEqual([key]);
      expect(ruleFinds(`KEY=${key}\n`)).toEqual([key]);
      expect(ruleFinds(`KEY=${key}`)).toEqual([key]);
      expect(ruleFinds(`https://api.example.com/v1/things?api_key=${key}&page=2`)).toEqual([key]);
    }
  });

  test("its regex finds all three keys when they are separated by a single comma, space, newline or semicolon", () => {
    const [a, b, c] = keys;
    for (const separator of [",", " ", "\n", ";"]) {
      expect(ruleFinds([a, b, c].join(separator)), JSON.stringify(separator)).toEqual([a, b, c]);
    }
  });

  test("its regex matches no key with a character appended (each of the 64), the last removed, or one in the middle removed, and none glued after a letter, digit or _", () => {
    for (const key of keys.slice(0, 50)) {
      for (const extra of ALPHABET) expect(ruleFinds(`KEY=${key}${extra} `), extra).toEqual([]);
      expect(ruleFinds(`KEY=${key.slice(0, -1)} `)).toEqual([]);
      expect(ruleFinds(`KEY=${key.slice(0, 20)}${key.slice(21)} `)).toEqual([]);
      for (const before of ["x", "Z", "7", "_"]) expect(ruleFinds(`KEY=${before}${key} `), before).toEqual([]);
    }
  });

  test("its regex matches a key-shaped string exactly when its last character is one of the 16 whose 2 unused bits are zero", () => {
    const body42 = keys[0]?.slice(3, 45) ?? "";
    for (let index = 0; index < ALPHABET.length; index += 1) {
      const last = ALPHABET.charAt(index);
      const candidate = `ak_${body42}${last}`;
      expect(ruleFinds(` ${candidate} `), last).toEqual(index % 4 === 0 ? [candidate] : []);
    }
  });

  test("its regex matches a key right after '-' (the gap of the RE2 form), which the JavaScript finder in key-format.md refuses", async () => {
    const key = keys[0] ?? "";
    expect(ruleFinds(`x-${key}`)).toEqual([key]);
    expect((await reference()).findKeysmithApiKeys(`x-${key}`)).toEqual([]);
  });

  test("every one of the 1,000 generated keys has a Shannon entropy above the rule's threshold", () => {
    const threshold = Number(tomlLine("entropy"));
    for (const key of keys) expect(shannonEntropy(key), key).toBeGreaterThan(threshold);
  });

  test("key-format.md shows the rule's regex verbatim, as the RE2 expression", () => {
    const literal = /^'''(.+)'''$/.exec(tomlLine("regex"))?.[1] ?? "";
    expect(doc).toContain(`\`\`\`\n${literal}\n\`\`\``);
  });
});

interface Reference {
  isKeysmithApiKey: (candidate: string) => boolean;
  findKeysmithApiKeys: (text: string) => string[];
}

let tempDir: string | undefined;
let loaded: Promise<Reference> | undefined;

/** The ```js block of key-format.md, written to a temporary .mjs file and imported. */
function reference(): Promise<Reference> {
  if (!loaded) {
    const blocks = [...doc.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
    expect(blocks).toHaveLength(1);
    tempDir = mkdtempSync(join(tmpdir(), "keysmith-key-format-"));
    const file = join(tempDir, "reference.mjs");
    writeFileSync(file, blocks[0] ?? "");
    loaded = import(pathToFileURL(file).href) as Promise<Reference>;
  }
  return loaded;
}

afterAll(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

describe("the JavaScript reference implementation in docs/key-format.md", () => {
  test("isKeysmithApiKey returns true for 1,000 generated keys, as checkApiKeyFormat does", async () => {
    const { isKeysmithApiKey } = await reference();
    for (const key of keys) {
      expect(checkApiKeyFormat(key), key).toBeUndefined();
      expect(isKeysmithApiKey(key), key).toBe(true);
    }
  });

  test("isKeysmithApiKey returns false, and checkApiKeyFormat finds a problem, for each of 100 keys with one character changed at 8 positions, with a non-canonical last character, one character more or less, and for the bad-checksum example", async () => {
    const { isKeysmithApiKey } = await reference();
    const bad: string[] = [exampleKey("Bad checksum")];
    for (const key of keys.slice(0, 100)) {
      for (const position of [3, 4, 17, 30, 39, 40, 41, 44]) bad.push(withCharAt(key, position, nextChar(key[position] ?? "")));
      bad.push(withCharAt(key, 45, nextChar(key[45] ?? "")), `${key}A`, key.slice(0, -1));
    }
    for (const value of bad) {
      expect(checkApiKeyFormat(value), value).not.toBeUndefined();
      expect(isKeysmithApiKey(value), value).toBe(false);
    }
  });

  test("findKeysmithApiKeys returns exactly the valid keys of a text, in order, leaving out a bad-checksum key and keys glued to other key characters", async () => {
    const { findKeysmithApiKeys } = await reference();
    const [a, b, c] = keys as [string, string, string];
    const text = `a=${a}, bad="${exampleKey("Bad checksum")}" x${b} ${b}- -${b} https://x.test/?k=${c}&z=1\n${a}`;
    expect(findKeysmithApiKeys(text)).toEqual([a, c, a]);
  });
});

describe("the example keys in docs/key-format.md", () => {
  test("the valid example passes checkApiKeyFormat and the bad-checksum example fails it with \"checksum\"", () => {
    expect(checkApiKeyFormat(exampleKey("Valid"))).toBeUndefined();
    expect(checkApiKeyFormat(exampleKey("Bad checksum"))).toBe("checksum");
  });
});
