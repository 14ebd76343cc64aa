import { afterEach, expect, test } from "vitest";

import { authEnv } from "../src/env.ts";

afterEach(() => {
  delete process.env.KEYSMITH_KEY_CACHE_SIZE;
});

test("KEYSMITH_KEY_CACHE_SIZE is 10,000 when unset and the number given when set", () => {
  expect(authEnv.keyCacheSize()).toBe(10_000);
  process.env.KEYSMITH_KEY_CACHE_SIZE = "100000";
  expect(authEnv.keyCacheSize()).toBe(100_000);
});

test.each(["0", "-1", "1e5", "lots", "10000001"])("KEYSMITH_KEY_CACHE_SIZE=%s stops start-up with a sentence naming the variable and the range", (value) => {
  process.env.KEYSMITH_KEY_CACHE_SIZE = value;
  expect(() => authEnv.check()).toThrow(`KEYSMITH_KEY_CACHE_SIZE must be a whole number of keys from 1 to 10000000, not "${value}".`);
});
