import { signUp } from "@keysmith/auth";

import { createRestHandler } from "../src/index.ts";

export const handler = createRestHandler();
const BASE = "http://localhost/api/v1";

let counter = 0;
let address = 0;

/** A request from its own client address, so the per-client throttle stays apart between tests. */
export function call(method: string, path: string, init: { body?: string | ArrayBuffer; headers?: Record<string, string>; clientAddress?: string } = {}) {
  address += 1;
  return handler(
    new Request(`${BASE}${path}`, { method, ...(init.body !== undefined ? { body: init.body } : {}), ...(init.headers ? { headers: init.headers } : {}) }),
    { clientAddress: init.clientAddress ?? `198.51.100.${address % 250}` },
  );
}

export async function json(response: Response): Promise<{ data: unknown; message: string; status: string; errors?: Record<string, string[]> }> {
  return (await response.json()) as { data: unknown; message: string; status: string; errors?: Record<string, string[]> };
}

export async function newUser(password = "a long password") {
  counter += 1;
  const username = `rest${counter}_${Math.random().toString(36).slice(2, 7)}`;
  const user = await signUp({ username, email: `${username}@example.test`, name: `Rest User ${counter}`, password });
  return { user, username, password };
}

/** Logs in through POST /login and returns the access token. */
export async function tokenFor(username: string, password: string): Promise<string> {
  const body = await json(await call("POST", "/login", { body: JSON.stringify({ username, password }), headers: { "content-type": "application/json" } }));
  return (body.data as { jwtToken: string }).jwtToken;
}
