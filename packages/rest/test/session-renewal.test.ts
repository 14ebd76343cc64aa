import { login, SESSION_COOKIE, writeRenewals } from "@keysmith/auth";
import { getDb, SessionKind } from "@keysmith/db";
import { expect, test } from "vitest";

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
