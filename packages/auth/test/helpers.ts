import { resolvePrincipal, signUp } from "../src/index.ts";

let counter = 0;

/** A fresh account per call; unique names keep the module-wide throttles apart. */
export async function newAccount(password = "correct horse battery staple") {
  counter += 1;
  const username = `user${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const user = await signUp({ username, email: `${username}@example.test`, name: `User ${counter}`, password });
  return { user, username, password };
}

export function bearer(value: string): Headers {
  return new Headers({ authorization: `Bearer ${value}` });
}

export const HOUR = 60 * 60 * 1000;

/** The Bearer/cookie resolver as a server that can set cookies calls it, from one test address. */
export function resolve(headers: Headers, now: Date, clientAddress = "192.0.2.10") {
  return resolvePrincipal(headers, { now, clientAddress, renewSessions: true });
}
