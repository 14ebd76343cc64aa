import { afterEach, expect, test, vi } from "vitest";

import { serverEnv } from "../src/env.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

test("the port is KEYSMITH_API_PORT when set, else PORT, else 3001", () => {
  vi.stubEnv("KEYSMITH_API_PORT", "");
  vi.stubEnv("PORT", "");
  expect(serverEnv.port()).toBe(3001);
  vi.stubEnv("PORT", "4000");
  expect(serverEnv.port()).toBe(4000);
  vi.stubEnv("KEYSMITH_API_PORT", "4001");
  expect(serverEnv.port()).toBe(4001);
});

test.each([
  ["KEYSMITH_API_PORT", "http"],
  ["KEYSMITH_API_PORT", "70000"],
  ["PORT", "-1"],
])("%s=%s is refused, naming the variable", (name, value) => {
  vi.stubEnv("KEYSMITH_API_PORT", "");
  vi.stubEnv(name, value);
  expect(() => serverEnv.port()).toThrow(`${name} must be a port number from 0 to 65535, not "${value}".`);
});
