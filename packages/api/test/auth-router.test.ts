import { getDb } from "@keysmith/db";
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";

import { callerFor, resolve, signedUpCaller, uniqueName } from "./helpers.ts";

describe("auth router", () => {
  test("signUp creates the account and sets an HttpOnly, SameSite=Lax session cookie", async () => {
    const username = uniqueName();
    const { caller, cookies } = callerFor();
    const user = await caller.auth.signUp({ username, email: `${username}@Example.test`, name: " Ada ", password: "a long password" });
    expect(user).toMatchObject({ username, email: `${username}@example.test`, name: "Ada", isStaff: false, isActive: true });
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^keysmith_session=[a-z2-9]{24}\.[a-z2-9]{24}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/);
  });

  test("login sets a cookie; me returns the user; logout ends the session", async () => {
    const { user, token, caller, cookies } = await signedUpCaller();
    expect(await caller.auth.me()).toEqual(user);
    await caller.auth.logout();
    expect(cookies.at(-1)).toMatch(/^keysmith_session=; .*Max-Age=0/);
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

  test("login and signUp from another site are refused, and write nothing", async () => {
    const { caller } = callerFor({ crossSite: true });
    const username = uniqueName();
    const before = await getDb().user.count();
    await expect(caller.auth.signUp({ username, email: `${username}@example.test`, name: "X", password: "a long password" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await getDb().user.count()).toBe(before);
  });

  test("bad input names the field and why", async () => {
    const { caller } = callerFor();
    const error: unknown = await caller.auth.signUp({ username: "ok_name", email: "nope", name: "X", password: "a long password" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
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
