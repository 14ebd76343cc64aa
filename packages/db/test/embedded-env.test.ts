import { afterEach, expect, test, vi } from "vitest";

import { embeddedEnv } from "../src/lifecycle/env.ts";
import { DatabaseSetupError } from "../src/lifecycle/index.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

test("KEYSMITH_PG_PORT defaults to 54329 and takes any unprivileged port", () => {
  vi.stubEnv("KEYSMITH_PG_PORT", "");
  expect(embeddedEnv.port()).toBe(54329);
  vi.stubEnv("KEYSMITH_PG_PORT", "15432");
  expect(embeddedEnv.port()).toBe(15432);
});

test.each(["22", "0", "70000", "abc", "54329.5"])("KEYSMITH_PG_PORT=%s is refused with one sentence", (value) => {
  vi.stubEnv("KEYSMITH_PG_PORT", value);
  expect(() => embeddedEnv.port()).toThrow(DatabaseSetupError);
  expect(() => embeddedEnv.port()).toThrow(`KEYSMITH_PG_PORT must be a port number from 1024 to 65535, not "${value}".`);
});
