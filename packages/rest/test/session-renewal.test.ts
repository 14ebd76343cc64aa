import { login, SESSION_COOKIE, validateSessionToken, writeRenewals } from "@keysmith/auth";
import { getDb, SessionKind } from "@keysmith/db";
import { expect, test, vi } from "vitest";

import { createRestCore, type RestRequest } from "../src/index.ts";
import { call, newUser } from "./helpers.ts";

const DAY = 24 * 60 * 60 * 1000;

/** A web session with `days` left, and its cookie. */
async function sessionWithDaysLeft(days: number) {
  const { username, password } = await newUser();
  const { token } = await login({ username, password }, SessionKind.WEB, { clientAddress: "203.0.113.60", now: new Date() });
  const id = token.split(".")[0] ?? "";
  await getDb().session.update({ where: { id }, data: { expiresAt: new Date(Date.now() + days * DAY) } });
  return { id, cookie: `${SESSION_COOKIE}=${token}` };
}

test.each<[string, { body: string; origin?: string }, number]>([
  ["a 400 (a malformed body)", { body: "{bad json" }, 400],
  ["a 403 (a change from another site)", { body: '{"name":"x"}', origin: "http://evil.example" }, 403],
])("a REST call with a session due to slide carries the new cookie even when it fails with %s", async (_, { body, origin }, status) => {
  const session = await sessionWithDaysLeft(10);
  const response = await call("POST", "/api-keys", { body, headers: { cookie: session.cookie, "content-type": "application/json", ...(origin ? { origin } : {}) } });
  expect(response.status).toBe(status);
  expect(response.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/; HttpOnly; SameSite=Lax; Max-Age=259\\d{4}`));
  // renewals are written in batches: this one is the batch
  expect(await writeRenewals()).toBeGreaterThanOrEqual(1);
  const row = await getDb().session.findUniqueOrThrow({ where: { id: session.id } });
  expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * DAY);
});

test("a REST call with a session not yet due sends no cookie", async () => {
  const session = await sessionWithDaysLeft(20);
  const response = await call("GET", "/api-keys", { headers: { cookie: session.cookie } });
  expect(response.status).toBe(200);
  expect(response.headers.get("set-cookie")).toBeNull();
});

test("with the session cached and the body at hand, the verify route answers a malformed body at once (a value, not a promise): a 400 carrying the slid session's new cookie", async () => {
  const session = await sessionWithDaysLeft(10);
  const token = session.cookie.slice(SESSION_COOKIE.length + 1);
  // cached once the row's change has been heard: then it is checked with no lookup (a value, not a promise)
  await vi.waitFor(() => expect(validateSessionToken(token, SessionKind.WEB, new Date(), { renew: false })).not.toBeInstanceOf(Promise), { timeout: 3_000 });
  const headers = new Headers({ cookie: session.cookie, "content-type": "application/json" });
  const request: RestRequest = { method: "POST", url: "http://localhost/api/v1/api-keys/verify", pathname: "/api/v1/api-keys/verify", headers, bytes: () => new TextEncoder().encode("{bad json") };
  const answer = createRestCore()(request, { clientAddress: "203.0.113.61" });
  expect(answer).not.toBeInstanceOf(Promise);
  expect(answer).toMatchObject({ status: 400 });
  expect((answer as { headers: Record<string, string> }).headers["set-cookie"]).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/; HttpOnly; SameSite=Lax; Max-Age=259\\d{4}`));
});
