import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { afterAll, beforeAll, expect, inject, test } from "vitest";

import { browserForFile, uniqueUser } from "./browser.ts";
import { envelope, request, sessionTokenFrom, signUpOverHttp } from "./http.ts";

/**
 * /activity: the owner's audit log, newest first, 25 at a time, filtered by
 * kind of event in the URL. The events come from what a person does over
 * the API with a browser's session: sign up, create a key, revoke it, log
 * out, log in; with older failed logins written to the database before
 * them, so the log runs past one page.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();

const USER_AGENT = "ActivityCheck/1.0 (a test client; its name is long enough to be cut on a phone)";
const OLDER_FAILURES = 24;
let token = "";

beforeAll(async () => {
  const user = uniqueUser();
  const first = await signUpOverHttp(baseUrl, user);
  const { id: userId } = await getDb().user.findUniqueOrThrow({ where: { username: user.username } });
  await getDb().auditEvent.createMany({
    data: Array.from({ length: OLDER_FAILURES }, () => ({
      at: new Date(),
      userId,
      event: "login.failed",
      actorType: "anonymous",
      clientAddress: "203.0.113.9",
      details: { reason: "wrong_credentials" },
    })),
  });

  const send = (path: string, cookie: string, body: unknown = {}) =>
    request(baseUrl, {
      method: "POST",
      path,
      headers: { "content-type": "application/json", "user-agent": USER_AGENT, ...(cookie ? { cookie: `keysmith_session=${cookie}` } : {}) },
      body: JSON.stringify(body),
    });
  const created = await send("/api/v1/api-keys", first, { name: "ci" });
  expect(created.status).toBe(201);
  const { id } = envelope(created).data as { id: number };
  expect((await send(`/api/v1/api-keys/${id}/revoke`, first)).status).toBe(200);
  expect((await send("/api/trpc/auth.logout", first)).status).toBe(200);
  const login = await send("/api/trpc/auth.login", "", { username: user.username, password: user.password });
  token = sessionTokenFrom(login) ?? "";
  expect(token).not.toBe("");
});

test("signed out, /activity?event=… redirects to /login with next= holding the filter", async () => {
  const answer = await request(baseUrl, { method: "GET", path: "/activity?event=key.revoked" });
  expect(answer.status).toBe(307);
  expect(answer.headers.location).toBe(`/login?next=${encodeURIComponent("/activity?event=key.revoked").replaceAll("%2F", "/")}`);
});

test("the server's HTML holds the first 25 events; the page lists login, logout, revoke and create newest first with who, address and user agent, Load more brings the rest down to the sign-up, and the event filter narrows the list in the URL", async () => {
  const html = await request(baseUrl, { method: "GET", path: "/activity", headers: { cookie: `keysmith_session=${token}` } });
  expect(html.body.match(/class="audit-row"/g)).toHaveLength(25);
  expect(html.body).toContain("Revoked key “ci”");
  expect(html.body).not.toContain("Loading the activity");

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: "keysmith_session", value: token, url: baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/activity`);
  const rows = page.locator("table.audit-table tbody tr");
  const sentences = () => page.locator("table.audit-table tbody .audit-what").allTextContents();
  const status = page.locator(".activity-foot [role=status]");
  await status.getByText("Showing the latest 25 events").waitFor();
  await expect(sentences().then((all) => all.slice(0, 5))).resolves.toEqual([
    "Logged in",
    "Logged out",
    "Revoked key “ci”",
    "Created key “ci”",
    "Failed login (wrong credentials)",
  ]);
  const newest = rows.first();
  await expect(newest.locator("td[data-label=Who]").textContent()).resolves.toBe("Dashboard session");
  await expect(newest.locator("td[data-label=Address]").textContent()).resolves.toBe("127.0.0.1");
  await expect(newest.locator(".audit-agent").getAttribute("title")).resolves.toBe(USER_AGENT);
  // nobody was signed in for a failed login: a dash to the eye, words to a screen reader
  await expect(rows.nth(4).locator("td[data-label=Who]").textContent()).resolves.toBe("—nobody signed in");
  await expect(rows.nth(4).locator("td[data-label=Address]").textContent()).resolves.toBe("203.0.113.9");

  await page.getByRole("button", { name: "Load more" }).click();
  await status.getByText(`Showing all ${OLDER_FAILURES + 5} events`).waitFor();
  await expect(sentences().then((all) => all.at(-1))).resolves.toBe("Created the account");
  // focus moves to the first event the click brought
  await expect(page.evaluate(() => document.activeElement?.querySelector(".audit-what")?.textContent)).resolves.toBe("Failed login (wrong credentials)");

  await page.getByLabel("Event").selectOption("key.revoked");
  await page.waitForURL(`${baseUrl}/activity?event=key.revoked`);
  await status.getByText("Showing 1 event that matches").waitFor();
  await expect(sentences()).resolves.toEqual(["Revoked key “ci”"]);
  await page.reload();
  await expect(page.getByLabel("Event").inputValue()).resolves.toBe("key.revoked");
  await expect(sentences()).resolves.toEqual(["Revoked key “ci”"]);
});
