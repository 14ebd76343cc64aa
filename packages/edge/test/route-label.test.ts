import { expect, test } from "vitest";

import { routeLabel } from "../src/route-label.ts";

test.each([
  ["/api/v1/login", "/api/v1/login"],
  ["/api/v1/api-keys", "/api/v1/api-keys"],
  ["/api/v1/api-keys/", "/api/v1/api-keys"],
  ["/api/v1/api-keys/verify", "/api/v1/api-keys/verify"],
  ["/api/v1/api-keys/verify/", "/api/v1/api-keys/verify"],
  ["/api/v1/api-keys/%ZZ", "/api/v1/api-keys/:id"],
  ["/api/v1/api-keys/42", "/api/v1/api-keys/:id"],
  ["/api/v1/api-keys/42/usage", "/api/v1/api-keys/:id/usage"],
  ["/api/v1/api-keys/42/roll", "/api/v1/api-keys/:id/roll"],
  ["/api/v1/openapi.json", "/api/v1/openapi.json"],
  ["/api/trpc/apiKeys.list", "apiKeys.list"],
  ["/api/trpc/health.check", "health.check"],
  ["/api/trpc/auth.me,apiKeys.list", "batch"],
  ["/healthz", "/healthz"],
  ["/readyz", "/readyz"],
])("%s is counted and logged as %s", (path, label) => {
  expect(routeLabel(path, false)).toBe(label);
  expect(routeLabel(path, true)).toBe(label);
});

test.each(["/api/v1", "/api/v1/nowhere", "/api/v1/api-keys/42/43", "/api/trpc", "/api/trpc/apiKeys.nope", "/api/trpc/auth.me,nope", "//api/v1/login"])(
  "%s, which no route or procedure answers, is \"other\", never its own path",
  (path) => {
    expect(routeLabel(path, true)).toBe("other");
  },
);

test("any other path is \"pages\" where pages are served (apps/web) and \"other\" where they are not (apps/server)", () => {
  for (const path of ["/", "/keys", "/keys/42", "/docs/api", "/metrics"]) {
    expect(routeLabel(path, true)).toBe("pages");
    expect(routeLabel(path, false)).toBe("other");
  }
});
