import { getDb } from "@keysmith/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, test } from "vitest";

import { appRouter, createContextInner } from "../src/index.ts";
import { callerFor, resolve, signedUpCaller, uniqueName } from "./helpers.ts";

const SESSION_COOKIE = /^keysmith_session=[a-z2-9]{24}\.[a-z2-9]{24}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/;

/** A mutation over HTTP, for what only the response carries (the error formatter's `data`). */
async function postOverHttp(path: string, input: unknown) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    router: appRouter,
    req: new Request(`http://localhost/api/trpc/${path}`, { method: "POST", body: JSON.stringify(input), headers: { "content-type": "application/json" } }),
    createContext: () => createContextInner({ principal: null, clientAddress: "198.18.0.1" }),
  });
  return (await response.json()) as { error?: { message: string; data: { code: string; fieldErrors: Record<string, string[]> | null } } };
}

describe("auth router", () => {
  test("signUp creates the account and sets an HttpOnly, SameSite=Lax session cookie", async () => {
    const username = uniqueName();
    const { caller, cookies } = callerFor();
    const user = await caller.auth.signUp({ username, email: `${username}@Example.test`, name: " Ada ", password: "a long password" });
    expect(user).toMatchObject({ username, email: `${username}@example.test`, name: "Ada", isStaff: false, isActive: true });
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(SESSION_COOKIE);
  });

  test("login sets a new session cookie; me returns the user by it; logout clears the cookie and ends the session", async () => {
    const signedUp = await signedUpCaller();
    const { caller, cookies } = callerFor({ clientAddress: "198.18.0.2" });
    expect(await caller.auth.login({ username: signedUp.username, password: signedUp.password })).toEqual(signedUp.user);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(SESSION_COOKIE);
    const token = /^keysmith_session=([^;]+)/.exec(cookies[0] ?? "")?.[1] ?? "";
    expect(token).not.toBe(signedUp.token);

    const { principal } = await resolve(new Headers({ cookie: `keysmith_session=${token}` }));
    const loggedIn = callerFor({ principal });
    expect(await loggedIn.caller.auth.me()).toEqual(signedUp.user);
    await loggedIn.caller.auth.logout();
    expect(loggedIn.cookies.at(-1)).toMatch(/^keysmith_session=; .*Max-Age=0/);
    expect((await resolve(new Headers({ cookie: `keysmith_session=${token}` }))).principal).toBeNull();
  });

  test("me is null for an anonymous caller; logout is refused with UNAUTHORIZED", async () => {
    const { caller } = callerFor();
    expect(await caller.auth.me()).toBeNull();
    await expect(caller.auth.logout()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  test("a cookie-authenticated mutation from another site is refused", async () => {
    const signed = await signedUpCaller();
    const { caller } = callerFor({ principal: signed.principal, crossSite: true });
    await expect(caller.auth.logout()).rejects.toMatchObject({ code: "FORBIDDEN" });
    // and nothing happened: the session still works
    expect((await resolve(new Headers({ cookie: `keysmith_session=${signed.token}` }))).principal?.user.id).toBe(signed.user.id);
  });

  test("login and signUp from another site are FORBIDDEN, and write no session, user or cookie", async () => {
    const { username, password } = await signedUpCaller();
    const { caller, cookies } = callerFor({ crossSite: true });
    const db = getDb();
    const [users, sessions] = [await db.user.count(), await db.session.count()];
    await expect(caller.auth.login({ username, password })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const newcomer = uniqueName();
    await expect(caller.auth.signUp({ username: newcomer, email: `${newcomer}@example.test`, name: "X", password: "a long password" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect([await db.user.count(), await db.session.count()]).toEqual([users, sessions]);
    expect(cookies).toEqual([]);
  });

  test("bad input is BAD_REQUEST whose data.fieldErrors names the email and why", async () => {
    const body = await postOverHttp("auth.signUp", { username: "ok_name", email: "nope", name: "X", password: "a long password" });
    expect(body.error?.data.code).toBe("BAD_REQUEST");
    expect(body.error?.data.fieldErrors).toEqual({ email: ["Email must be a valid address, like name@example.com."] });
  });

  test("signUp from an address over its failed-login limit is TOO_MANY_REQUESTS and creates no user", async () => {
    const { caller, cookies } = callerFor({ clientAddress: "198.18.0.3" });
    for (let i = 0; i < 20; i += 1) {
      await expect(caller.auth.login({ username: `nobody${String(i)}`, password: "wrong password" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const username = uniqueName();
    await expect(caller.auth.signUp({ username, email: `${username}@example.test`, name: "X", password: "a long password" })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    expect(await getDb().user.findUnique({ where: { username } })).toBeNull();
    expect(cookies).toEqual([]);
  });

  test("a taken username is a CONFLICT with the field named", async () => {
    const { username } = await signedUpCaller();
    const { caller } = callerFor();
    await expect(caller.auth.signUp({ username, email: `${uniqueName()}@example.test`, name: "X", password: "a long password" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "That username is taken; choose another.",
    });
  });

  test("wrong credentials are UNAUTHORIZED with one message for both cases", async () => {
    const { username } = await signedUpCaller();
    const { caller } = callerFor();
    await expect(caller.auth.login({ username, password: "wrong password" })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Wrong username or password." });
    await expect(caller.auth.login({ username: `${username}x`, password: "wrong password" })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Wrong username or password." });
  });
});
