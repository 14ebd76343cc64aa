import { afterEach, expect, test, vi } from "vitest";

import { serverEnv } from "../src/index.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

test.each([
  ["KEYSMITH_API_PORT", 3001],
  ["KEYSMITH_WEB_PORT", 3000],
] as const)("the port is %s when set, else PORT, else %i", (variable, fallback) => {
  vi.stubEnv("KEYSMITH_API_PORT", "");
  vi.stubEnv("KEYSMITH_WEB_PORT", "");
  vi.stubEnv("PORT", "");
  expect(serverEnv.port(variable, fallback)).toBe(fallback);
  vi.stubEnv("PORT", "4000");
  expect(serverEnv.port(variable, fallback)).toBe(4000);
  vi.stubEnv(variable, "4001");
  expect(serverEnv.port(variable, fallback)).toBe(4001);
  // the other app's variable is not this one's
  vi.stubEnv(variable === "KEYSMITH_API_PORT" ? "KEYSMITH_WEB_PORT" : "KEYSMITH_API_PORT", "4002");
  expect(serverEnv.port(variable, fallback)).toBe(4001);
});

test.each([
  ["KEYSMITH_API_PORT", "http"],
  ["KEYSMITH_WEB_PORT", "70000"],
  ["PORT", "-1"],
])("%s=%s is refused, naming the variable", (name, value) => {
  vi.stubEnv("KEYSMITH_API_PORT", "");
  vi.stubEnv("KEYSMITH_WEB_PORT", "");
  vi.stubEnv(name, value);
  expect(() => serverEnv.port(name === "KEYSMITH_WEB_PORT" ? "KEYSMITH_WEB_PORT" : "KEYSMITH_API_PORT", 3001)).toThrow(`${name} must be a port number from 0 to 65535, not "${value}".`);
});

test.each(["KEYSMITH_API_HOST", "KEYSMITH_WEB_HOST"] as const)("%s takes an address or a host name, 0.0.0.0 by default, and refuses anything else by name", (variable) => {
  vi.stubEnv(variable, "");
  expect(serverEnv.host(variable)).toBe("0.0.0.0");
  for (const host of ["127.0.0.1", "::1", "keys.internal", "localhost"]) {
    vi.stubEnv(variable, host);
    expect(serverEnv.host(variable)).toBe(host);
  }
  vi.stubEnv(variable, "http://localhost:3000");
  expect(() => serverEnv.host(variable)).toThrow(`${variable} must be an IP address or a host name to listen on, like 127.0.0.1, not "http://localhost:3000".`);
});
