import { type Principal, resolvePrincipal } from "@keysmith/auth";

import { createCaller, createContextInner, type ContextInner } from "../src/index.ts";

let counter = 0;

/** A caller with the cookies it receives collected, as a browser would keep them. */
export function callerFor(inner: Partial<ContextInner> = {}) {
  const cookies: string[] = [];
  const caller = createCaller(
    createContextInner({ principal: null, clientAddress: `192.0.2.${(counter % 250) + 1}`, setCookie: (c) => cookies.push(c), ...inner }),
  );
  return { caller, cookies };
}

export function uniqueName(prefix = "user") {
  counter += 1;
  return `${prefix}${counter}_${Math.random().toString(36).slice(2, 7)}`;
}

/** Signs up through the router and returns a caller acting as that user by cookie. */
export async function signedUpCaller(password = "a long password") {
  const username = uniqueName();
  const { caller, cookies } = callerFor();
  const user = await caller.auth.signUp({ username, email: `${username}@example.test`, name: "Test User", password });
  const token = /keysmith_session=([^;]+)/.exec(cookies[0] ?? "")?.[1] ?? "";
  const resolution = await resolve(new Headers({ cookie: `keysmith_session=${token}` }));
  const principal = resolution.principal as Principal;
  return { user, username, password, token, principal, ...callerFor({ principal }) };
}

/** The Bearer/cookie resolver as a server that can set cookies calls it, from one test address. */
export function resolve(headers: Headers, now = new Date()) {
  return resolvePrincipal(headers, { now, clientAddress: "192.0.2.200", renewSessions: true });
}
