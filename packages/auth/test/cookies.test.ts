import { afterEach, describe, expect, test, vi } from "vitest";

import { authEnv, cookieSecurity, sessionCookie } from "../src/index.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("session cookie security", () => {
  test("is Secure when the client's URL is https, and not for a client's own X-Forwarded-Proto", () => {
    expect(cookieSecurity("https://keys.example.com/api/trpc", new Headers())).toEqual({ secure: true });
    // a trusted proxy's header is applied by the server, which rebuilds the URL; here nobody vouched for it
    expect(cookieSecurity("http://localhost:3000/", new Headers({ "x-forwarded-proto": "https", host: "localhost:3000" }))).toEqual({ secure: false });
  });

  test("in production, on any host but loopback", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(cookieSecurity("http://keys.example.com/", new Headers({ host: "keys.example.com" })).secure).toBe(true);
    expect(cookieSecurity("http://localhost:3000/", new Headers({ host: "localhost:3000" })).secure).toBe(false);
    expect(cookieSecurity("http://127.0.0.1:3000/", new Headers({ host: "127.0.0.1:3000" })).secure).toBe(false);
  });

  test("not on plain http in development; KEYSMITH_SECURE_COOKIES overrides", () => {
    vi.stubEnv("NODE_ENV", "development");
    expect(cookieSecurity("http://devbox:3000/", new Headers({ host: "devbox:3000" })).secure).toBe(false);
    vi.stubEnv("KEYSMITH_SECURE_COOKIES", "true");
    expect(cookieSecurity("http://devbox:3000/", new Headers()).secure).toBe(true);
  });

  test("the cookie says HttpOnly and SameSite=Lax, and Secure only when asked", () => {
    const expires = new Date(Date.now() + 60_000);
    expect(sessionCookie("a.b", expires, { secure: true })).toBe("keysmith_session=a.b; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
    expect(sessionCookie("a.b", expires, { secure: false })).toBe("keysmith_session=a.b; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
  });
});

describe("KEYSMITH_SECURE_COOKIES", () => {
  test("is true, false or unset; anything else is refused by name", () => {
    vi.stubEnv("KEYSMITH_SECURE_COOKIES", "yes");
    expect(() => authEnv.check()).toThrow('KEYSMITH_SECURE_COOKIES must be true or false, not "yes".');
    vi.stubEnv("KEYSMITH_SECURE_COOKIES", "FALSE");
    expect(() => authEnv.check()).not.toThrow();
    expect(cookieSecurity("https://keys.example.com/", new Headers()).secure).toBe(false);
  });
});
