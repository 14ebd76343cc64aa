import { createHash } from "node:crypto";

import { getDb, SessionKind } from "@keysmith/db";
import { describe, expect, test } from "vitest";

import { invalidateSession, login, resolvePrincipal, SESSION_COOKIE, sweepExpiredSessions } from "../src/index.ts";
import { bearer, HOUR, newAccount, resolve } from "./helpers.ts";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("sign-up, login and an authenticated call", () => {
  test("an access token identifies its user", async () => {
    const { user, username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.0.1", now: t0 });

    const resolved = await resolve(bearer(token), at(1000));
    expect(resolved.principal).toMatchObject({ via: "token", user: { id: user.id, username } });
  });

  test("login accepts the email in any case, and the username in any case", async () => {
    const { user, username, password } = await newAccount();
    for (const name of [`${username}@EXAMPLE.test`, username.toUpperCase()]) {
      const result = await login({ username: name, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.0.2", now: t0 });
      expect(result.user.id).toBe(user.id);
    }
  });

  test("the stored row holds SHA-256 of the token's secret, and not the secret", async () => {
    const { username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.0.3", now: t0 });
    const [id, secret] = token.split(".") as [string, string];
    const row = await getDb().session.findUniqueOrThrow({ where: { id } });
    expect(Buffer.from(row.secretHash).equals(createHash("sha256").update(secret, "utf8").digest())).toBe(true);
    expect(JSON.stringify({ ...row, secretHash: Buffer.from(row.secretHash).toString("base64") })).not.toContain(secret);
  });
});

describe("access tokens", () => {
  test("expire 2 hours after login, and not before", async () => {
    const { username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.1.1", now: t0 });

    expect((await resolve(bearer(token), at(2 * HOUR - 1000))).principal?.via).toBe("token");
    const expired = await resolve(bearer(token), at(2 * HOUR));
    expect(expired.principal).toBeNull();
    expect(expired).toMatchObject({ error: { code: "UNAUTHORIZED", message: expect.stringMatching(/expired.*log in again/) } });
  });

  test("do not slide: using one does not extend it", async () => {
    const { username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.1.2", now: t0 });
    await resolve(bearer(token), at(HOUR + 59 * 60 * 1000));
    expect((await resolve(bearer(token), at(2 * HOUR + 1))).principal).toBeNull();
  });

  test("are revoked by logout", async () => {
    const { username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.1.3", now: t0 });
    const resolved = await resolve(bearer(token), t0);
    if (resolved.principal?.via !== "token") throw new Error("expected a token principal");

    await invalidateSession(resolved.principal.sessionId);
    expect(await resolve(bearer(token), t0)).toMatchObject({ principal: null, error: { message: expect.stringMatching(/revoked/) } });
  });

  test("a web session token is not accepted as a bearer token, nor the reverse", async () => {
    const { username, password } = await newAccount();
    const web = await login({ username, password }, SessionKind.WEB, { clientAddress: "10.0.1.4", now: t0 });
    const api = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.1.4", now: t0 });
    expect((await resolve(bearer(web.token), t0)).principal).toBeNull();
    expect((await resolve(new Headers({ cookie: `${SESSION_COOKIE}=${api.token}` }), t0)).principal).toBeNull();
  });
});

describe("web sessions", () => {
  const cookie = (token: string) => new Headers({ cookie: `other=1; ${SESSION_COOKIE}=${token}` });

  test("slide: a session used after 20 days is extended to 30 days from then", async () => {
    const { username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.WEB, { clientAddress: "10.0.2.1", now: t0 });
    const day = 24 * HOUR;

    const early = await resolve(cookie(token), at(day));
    expect(early.principal).toMatchObject({ via: "cookie" });
    expect(early.principal).not.toHaveProperty("renewedUntil");

    const later = await resolve(cookie(token), at(20 * day));
    expect(later.principal).toMatchObject({ via: "cookie", renewedUntil: at(50 * day) });
    expect((await resolve(cookie(token), at(50 * day))).principal).toBeNull();
  });

  test("a cookie for a deleted user is refused", async () => {
    const { user, username, password } = await newAccount();
    const { token } = await login({ username, password }, SessionKind.WEB, { clientAddress: "10.0.2.2", now: t0 });
    await getDb().user.delete({ where: { id: user.id } });
    expect(await resolve(cookie(token), t0)).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED" } });
  });

  test("slides only when the caller can send the cookie: renewSessions false leaves the expiry where it was", async () => {
    const { username, password } = await newAccount();
    const { token, expiresAt } = await login({ username, password }, SessionKind.WEB, { clientAddress: "10.0.2.3", now: t0 });
    const day = 24 * HOUR;
    const render = await resolvePrincipal(cookie(token), { now: at(20 * day), clientAddress: "10.0.2.3", renewSessions: false });
    expect(render.principal).toMatchObject({ via: "cookie" });
    expect(render.principal).not.toHaveProperty("renewedUntil");
    const id = token.split(".")[0] ?? "";
    expect((await getDb().session.findUniqueOrThrow({ where: { id } })).expiresAt).toEqual(expiresAt);
  });

  test("a session of a deactivated user is refused, and so is its access token", async () => {
    const { user, username, password } = await newAccount();
    const web = await login({ username, password }, SessionKind.WEB, { clientAddress: "10.0.2.4", now: t0 });
    const api = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.2.4", now: t0 });
    await getDb().user.update({ where: { id: user.id }, data: { isActive: false } });
    expect(await resolve(cookie(web.token), t0)).toMatchObject({ principal: null, error: { code: "UNAUTHORIZED" } });
    expect(await resolve(bearer(api.token), t0)).toMatchObject({ principal: null, error: { message: expect.stringMatching(/deactivated/) } });
  });

  test("no cookie and no header is anonymous, without an error", async () => {
    expect(await resolve(new Headers(), t0)).toEqual({ principal: null });
  });
});

describe("expired sessions and access tokens", () => {
  test("are deleted by the sweep, while live ones stay", async () => {
    const { username, password } = await newAccount();
    const old = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.3.1", now: t0 });
    const oldWeb = await login({ username, password }, SessionKind.WEB, { clientAddress: "10.0.3.1", now: t0 });
    const fresh = await login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress: "10.0.3.1", now: new Date() });
    const ids = [old, oldWeb, fresh].map(({ token }) => token.split(".")[0] ?? "");

    expect(await sweepExpiredSessions(new Date())).toBeGreaterThanOrEqual(2);
    const left = await getDb().session.findMany({ where: { id: { in: ids } }, select: { id: true } });
    expect(left.map((row) => row.id)).toEqual([ids[2]]);
  });
});
