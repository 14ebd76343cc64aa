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

test.each([
  ["KEYSMITH_API_METRICS_PORT", "KEYSMITH_WEB_METRICS_PORT"],
  ["KEYSMITH_WEB_METRICS_PORT", "KEYSMITH_API_METRICS_PORT"],
] as const)("the /metrics port is %s when set, else KEYSMITH_METRICS_PORT, else none", (variable, other) => {
  vi.stubEnv("KEYSMITH_API_METRICS_PORT", "");
  vi.stubEnv("KEYSMITH_WEB_METRICS_PORT", "");
  vi.stubEnv("KEYSMITH_METRICS_PORT", "");
  expect(serverEnv.metricsPort(variable)).toBeUndefined();
  vi.stubEnv("KEYSMITH_METRICS_PORT", " 9464 ");
  expect(serverEnv.metricsPort(variable)).toBe(9464);
  vi.stubEnv(variable, "9465");
  expect(serverEnv.metricsPort(variable)).toBe(9465);
  // the other app's variable is not this one's
  vi.stubEnv(other, "9466");
  expect(serverEnv.metricsPort(variable)).toBe(9465);
});

test.each([
  ["KEYSMITH_METRICS_PORT", "0"],
  ["KEYSMITH_METRICS_PORT", "65536"],
  ["KEYSMITH_API_METRICS_PORT", "metrics"],
  ["KEYSMITH_API_METRICS_PORT", "-1"],
  ["KEYSMITH_METRICS_PORT", "9464.5"],
])("%s=%s is refused, naming the variable and what it takes", (name, value) => {
  vi.stubEnv("KEYSMITH_API_METRICS_PORT", "");
  vi.stubEnv(name, value);
  expect(() => serverEnv.metricsPort("KEYSMITH_API_METRICS_PORT")).toThrow(`${name} must be a port number from 1 to 65535 (or unset, for no metrics listener), not "${value}".`);
});

test("KEYSMITH_METRICS_HOST is 127.0.0.1 (this machine only) by default, takes an address or a host name, and refuses anything else by name", () => {
  vi.stubEnv("KEYSMITH_METRICS_HOST", "");
  expect(serverEnv.metricsHost()).toBe("127.0.0.1");
  for (const host of ["0.0.0.0", "::1", "metrics.internal"]) {
    vi.stubEnv("KEYSMITH_METRICS_HOST", host);
    expect(serverEnv.metricsHost()).toBe(host);
  }
  vi.stubEnv("KEYSMITH_METRICS_HOST", "127.0.0.1:9464");
  expect(() => serverEnv.metricsHost()).toThrow('KEYSMITH_METRICS_HOST must be an IP address or a host name to listen on, like 127.0.0.1, not "127.0.0.1:9464".');
});

test("KEYSMITH_LOG_LEVEL is info by default, takes each of pino's levels in any case, and refuses anything else naming the levels", () => {
  vi.stubEnv("KEYSMITH_LOG_LEVEL", "");
  expect(serverEnv.logLevel()).toBe("info");
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal", "silent"]) {
    vi.stubEnv("KEYSMITH_LOG_LEVEL", level.toUpperCase());
    expect(serverEnv.logLevel()).toBe(level);
  }
  vi.stubEnv("KEYSMITH_LOG_LEVEL", "verbose");
  expect(() => serverEnv.logLevel()).toThrow('KEYSMITH_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "verbose".');
});
