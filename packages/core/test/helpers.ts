import { type Principal, resolvePrincipal, signUp } from "@keysmith/auth";
import { type ParsedCreateApiKeyInput } from "@keysmith/validators";

import { createApiKey } from "../src/index.ts";

let counter = 0;

/** A new account, acting through an access token (which may do everything its user can). */
export async function ownerPrincipal(): Promise<Principal> {
  counter += 1;
  const username = `core${counter}_${Math.random().toString(36).slice(2, 7)}`;
  const user = await signUp({ username, email: `${username}@example.test`, name: "Core Test", password: "a long password" });
  return { via: "token", user, sessionId: `test-session-${counter}` };
}

/** The principal a request presenting `key` resolves to. */
export async function keyPrincipal(key: string, now = new Date()): Promise<Principal> {
  const { principal } = await resolvePrincipal(new Headers({ authorization: `Bearer ${key}` }), { now, clientAddress: "192.0.2.50", renewSessions: false });
  if (!principal) throw new Error("the key did not resolve to a principal");
  return principal;
}

/** Creates a key with the parsed-input defaults filled in. */
export function create(principal: Principal, input: Partial<ParsedCreateApiKeyInput> & { name: string }, now = new Date()) {
  return createApiKey({ principal, input: { description: null, ...input }, now });
}
