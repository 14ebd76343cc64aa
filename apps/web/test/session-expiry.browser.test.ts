import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { type BrowserContext, type Page } from "playwright-core";
import { afterAll, expect, inject, test } from "vitest";

import { browserForFile, signUpThroughForm, uniqueUser } from "./browser.ts";

/**
 * A session that ends while a page is open (it expired, or was ended from
 * elsewhere) must not leave the person on a page that only says "401": the
 * next tRPC call the page makes sends them to log in, and back afterwards.
 * The session is ended the way the server sees it, by deleting its row.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();

async function endSessionInDatabase(context: BrowserContext): Promise<void> {
  const token = (await context.cookies()).find((cookie) => cookie.name === "keysmith_session")?.value ?? "";
  // the token is "<id>.<secret>"; the row's id is the first half
  const { count } = await getDb().session.deleteMany({ where: { id: token.split(".")[0] ?? "" } });
  expect(count, "the browser's session row was deleted").toBe(1);
}

async function logInAgain(page: Page, user: ReturnType<typeof uniqueUser>): Promise<void> {
  await page.getByText("Your session has ended; log in again to continue.").waitFor();
  await page.getByLabel("Username or email", { exact: true }).fill(user.username);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("a mutation that finds the session ended (Log out, on /keys?sort=oldest) sends the browser to /login?next=/keys?sort=oldest, and logging in returns there", async () => {
  // the refused call is the point of the test
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = uniqueUser();
  await signUpThroughForm(page, baseUrl, user);
  await page.goto(`${baseUrl}/keys?sort=oldest`);
  await page.getByRole("heading", { name: "API keys" }).waitFor();

  await endSessionInDatabase(context);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${baseUrl}/login?next=/keys%3Fsort%3Doldest`);

  await logInAgain(page, user);
  await page.waitForURL(`${baseUrl}/keys?sort=oldest`);
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  await context.close();
});

test("a query that finds the session ended (the key list, refetched when the tab is shown again after its data went stale) sends the browser to /login?next=/keys, and logging in returns there", async () => {
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  // a controllable clock, so the list's data can go stale without waiting for it
  await page.clock.install();
  const user = uniqueUser();
  await signUpThroughForm(page, baseUrl, user);
  await page.waitForLoadState("networkidle");

  await endSessionInDatabase(context);
  await page.clock.fastForward("02:00");
  // what the browser sends when the person comes back to the tab; the query client refetches stale queries on it
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
  await page.waitForURL(`${baseUrl}/login?next=/keys`);

  await logInAgain(page, user);
  await page.waitForURL(`${baseUrl}/keys`);
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  await context.close();
});
