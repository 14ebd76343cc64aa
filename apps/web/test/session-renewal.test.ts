import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { afterAll, expect, inject, test, vi } from "vitest";

import { uniqueUser } from "./browser.ts";
import { type Answer, request, signUpOverHttp } from "./http.ts";

/**
 * A web session used with less than 15 days left slides to 30 days, and the
 * browser's cookie must follow: else it ends at the cookie's old expiry
 * whatever the row says. Checked against the running app and its database.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());

const DAY = 24 * 60 * 60 * 1000;
const THIRTY_DAYS_S = 30 * 24 * 60 * 60;

/** A signed-up user's session, with its row's expiry moved to `daysLeft` from now. */
async function sessionWithDaysLeft(daysLeft: number): Promise<{ token: string; id: string }> {
  const token = await signUpOverHttp(baseUrl, uniqueUser());
  const id = token.split(".")[0] ?? "";
  await getDb().session.update({ where: { id }, data: { expiresAt: new Date(Date.now() + daysLeft * DAY) } });
  return { token, id };
}

async function expiresAt(id: string): Promise<number> {
  return (await getDb().session.findUniqueOrThrow({ where: { id } })).expiresAt.getTime();
}

function renewedCookie(answer: Answer, token: string): string | undefined {
  return (answer.headers["set-cookie"] ?? []).find((cookie) => cookie.startsWith(`keysmith_session=${token};`));
}

const requests: [string, (cookie: string) => Promise<Answer>][] = [
  ["a page load (GET /keys)", (cookie) => request(baseUrl, { method: "GET", path: "/keys", headers: { cookie } })],
  [
    "a tRPC query as the dashboard streams it (GET /api/trpc/auth.me)",
    (cookie) =>
      request(baseUrl, {
        method: "GET",
        path: `/api/trpc/auth.me?batch=1&input=${encodeURIComponent("{}")}`,
        headers: { cookie, "trpc-accept": "application/jsonl" },
      }),
  ],
  ["a REST call (GET /api/v1/api-keys)", (cookie) => request(baseUrl, { method: "GET", path: "/api/v1/api-keys", headers: { cookie } })],
];

test.each(requests)("%s with 10 days left answers Set-Cookie with Max-Age of 30 days, and the row's expiry moves to 30 days with the next batch of renewals", async (_, send) => {
  const { token, id } = await sessionWithDaysLeft(10);
  const before = Date.now();
  const answer = await send(`keysmith_session=${token}`);
  expect(answer.status).toBe(200);
  const cookie = renewedCookie(answer, token);
  const maxAge = Number(/; Max-Age=(\d+)/.exec(cookie ?? "")?.[1]);
  expect(maxAge).toBeGreaterThanOrEqual(THIRTY_DAYS_S - 60);
  expect(maxAge).toBeLessThanOrEqual(THIRTY_DAYS_S);
  expect(cookie).toMatch(/; HttpOnly; SameSite=Lax;/);
  // renewals are written in batches, every KEYSMITH_USAGE_FLUSH_MS (0.2 s for these tests)
  await vi.waitFor(async () => expect(await expiresAt(id)).toBeGreaterThanOrEqual(before + 30 * DAY - 1000), { timeout: 3_000, interval: 50 });
  expect(await expiresAt(id)).toBeLessThanOrEqual(Date.now() + 30 * DAY);
});

test.each(requests)("%s with 20 days left sends no session cookie and leaves the row's expiry", async (_, send) => {
  const { token, id } = await sessionWithDaysLeft(20);
  const expiry = await expiresAt(id);
  const answer = await send(`keysmith_session=${token}`);
  expect(answer.status).toBe(200);
  expect(renewedCookie(answer, token)).toBeUndefined();
  expect(await expiresAt(id)).toBe(expiry);
});
