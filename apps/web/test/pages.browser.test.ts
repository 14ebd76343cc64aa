import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";

import { browserForFile, expectNoHorizontalScroll, expectNoSeriousAxeViolations, signUpThroughForm, uniqueUser } from "./browser.ts";
import { envelope, request, signUpOverHttp } from "./http.ts";

/**
 * Every page, as a phone (390×844) shows it, in the light and the dark
 * scheme: no console error (a hydration mismatch is one; see browserForFile),
 * nothing wider than the screen, and no serious or critical WCAG A/AA
 * violation that axe finds (colour contrast among them). The key has been
 * used, so the key list and the key page show their charts, not an empty state;
 * it has credits, so both show those too.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();
const PHONE = { width: 390, height: 844 };

// one person with one key, made over the API as a script would, verified an hour ago (counts written as the usage flush would)
let sessionToken = "";
let keyId = 0;
beforeAll(async () => {
  const user = uniqueUser();
  sessionToken = await signUpOverHttp(baseUrl, user);
  const login = await request(baseUrl, {
    method: "POST",
    path: "/api/v1/login",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  const token = (envelope(login).data as { jwtToken: string }).jwtToken;
  const created = await request(baseUrl, {
    method: "POST",
    path: "/api/v1/api-keys",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: "checked on every page", description: "made over REST for the page checks", remaining: 412, refill: { amount: 1000, interval: "month" } }),
  });
  expect(created.status).toBe(201);
  keyId = (envelope(created).data as { id: number }).id;
  const minute = new Date(Math.floor((Date.now() - 60 * 60 * 1000) / 60_000) * 60_000);
  await getDb().keyUsageMinute.createMany({
    data: [
      { keyId, minute, outcome: "VALID", count: 12n },
      { keyId, minute, outcome: "RATE_LIMITED", count: 3n },
      { keyId, minute, outcome: "USAGE_EXCEEDED", count: 2n },
    ],
  });
});

interface PageCase {
  name: string;
  path: () => string;
  signedIn: boolean;
  /** What shows once the page has finished loading its data. */
  ready: (page: Page) => Promise<void>;
}

const heading = (name: string | RegExp) => (page: Page) => page.getByRole("heading", { level: 1, name }).waitFor();
const chartDrawn = (page: Page) => page.locator(".usage-plot canvas").first().waitFor();

const PAGES: PageCase[] = [
  { name: "the landing page, signed out", path: () => "/", signedIn: false, ready: (page) => page.getByText("Database reachable").waitFor() },
  { name: "the landing page, signed in", path: () => "/", signedIn: true, ready: (page) => page.getByText("Database reachable").waitFor() },
  { name: "/login", path: () => "/login", signedIn: false, ready: heading("Log in") },
  { name: "/login after a session ended", path: () => "/login?next=/keys", signedIn: false, ready: (page) => page.getByText("Your session has ended").waitFor() },
  { name: "/signup", path: () => "/signup", signedIn: false, ready: heading("Create your account") },
  { name: "/docs/api", path: () => "/docs/api", signedIn: true, ready: (page) => page.locator(".opblock").first().waitFor() },
  { name: "/keys", path: () => "/keys", signedIn: true, ready: chartDrawn },
  { name: "/keys/<id>", path: () => `/keys/${keyId}`, signedIn: true, ready: chartDrawn },
  { name: "/activity", path: () => "/activity", signedIn: true, ready: (page) => page.locator(".activity-foot [role=status]").waitFor() },
];

async function openPage(pageCase: PageCase, colorScheme: "light" | "dark"): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE, colorScheme });
  if (pageCase.signedIn) await context.addCookies([{ name: "keysmith_session", value: sessionToken, url: baseUrl }]);
  const page = await context.newPage();
  const response = await page.goto(`${baseUrl}${pageCase.path()}`);
  expect(response?.status(), `${pageCase.name} answers 200`).toBe(200);
  await pageCase.ready(page);
  // late errors (hydration, a failed fetch) come before the page goes quiet
  await page.waitForLoadState("networkidle");
  return page;
}

test.for(PAGES.flatMap((pageCase) => (["light", "dark"] as const).map((scheme) => ({ ...pageCase, scheme }))))(
  "$name in the $scheme scheme at 390×844: no console error, no sideways scroll, no serious or critical axe violation",
  async ({ scheme, ...pageCase }) => {
    const page = await openPage(pageCase, scheme);
    await expectNoHorizontalScroll(page, `${pageCase.name} (${scheme})`);
    await expectNoSeriousAxeViolations(page, `${pageCase.name} (${scheme})`);
  },
);

test("at 390 px the signed-in header keeps every link and “Log out” inside the window", async () => {
  const page = await openPage(PAGES[1] as PageCase, "light");
  const header = page.locator("header");
  for (const control of await header.locator("a, button").all()) {
    const box = await control.boundingBox();
    const name = (await control.textContent()) ?? "?";
    expect(box, `${name} is laid out`).not.toBeNull();
    expect(box ? box.x + box.width : Infinity, `${name}'s right edge`).toBeLessThanOrEqual(PHONE.width);
    expect(box?.x, `${name}'s left edge`).toBeGreaterThanOrEqual(0);
  }
  await header.getByRole("button", { name: "Log out" }).waitFor();
});

test("the first Tab reaches a visible “Skip to content” link with a focus ring, and following it puts focus on the main content", async () => {
  const page = await openPage(PAGES[1] as PageCase, "light");
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => {
    const active = document.activeElement as HTMLElement;
    const box = active.getBoundingClientRect();
    const style = getComputedStyle(active);
    return { text: active.textContent, onScreen: box.top >= 0 && box.bottom <= window.innerHeight, outline: style.outlineStyle, width: style.outlineWidth };
  });
  expect(skip).toMatchObject({ text: "Skip to content", onScreen: true, outline: "solid" });
  expect(parseFloat(skip.width)).toBeGreaterThanOrEqual(2);

  await page.keyboard.press("Enter");
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("main");
  // the next Tab goes on from the main content, past the header
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.closest("main")?.id)).toBe("main");
});

test("each page has its own title: “<page> · Keysmith”, and the landing page “Keysmith”", async () => {
  const titles = new Map<string, string>();
  for (const pageCase of PAGES.filter((each) => !each.name.includes(", signed in") && !each.name.includes("session ended"))) {
    const page = await openPage(pageCase, "light");
    titles.set(pageCase.name, await page.title());
    await page.context().close();
  }
  expect(Object.fromEntries(titles)).toMatchObject({
    "the landing page, signed out": "Keysmith",
    "/login": "Log in · Keysmith",
    "/signup": "Create your account · Keysmith",
    "/docs/api": "REST API reference · Keysmith",
    "/keys": expect.stringMatching(/^.+ · Keysmith$/),
    "/keys/<id>": expect.stringMatching(/^.+ · Keysmith$/),
    "/activity": "Activity · Keysmith",
  });
  expect(new Set(titles.values()).size, "no two pages share a title").toBe(titles.size);
});

test("the landing page says what Keysmith does and offers sign-up and login, or the keys once signed in", async () => {
  const out = await openPage(PAGES[0] as PageCase, "light");
  const main = out.locator("main");
  for (const words of ["issue", "roll", "revoke", "verify", "hash", "REST API", "tRPC"]) await expect(main.textContent()).resolves.toContain(words);
  await expect(main.getByRole("link", { name: "Create an account" }).getAttribute("href")).resolves.toBe("/signup");
  await expect(main.getByRole("link", { name: "Log in" }).getAttribute("href")).resolves.toBe("/login");

  const signedIn = await openPage(PAGES[1] as PageCase, "light");
  await expect(signedIn.locator("main").getByRole("link", { name: "Go to your keys" }).getAttribute("href")).resolves.toBe("/keys");
  await expect(signedIn.locator("main").getByRole("link", { name: "Create an account" }).count()).resolves.toBe(0);
});

test("/favicon.ico is an icon, not a 404, and the pages link an icon that loads", async () => {
  const favicon = await fetch(`${baseUrl}/favicon.ico`);
  expect(favicon.status).toBe(200);
  expect(favicon.headers.get("content-type")).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
  // ICO files start with reserved 0, type 1
  expect([...new Uint8Array(await favicon.arrayBuffer()).slice(0, 4)]).toEqual([0, 0, 1, 0]);

  const page = await openPage(PAGES[2] as PageCase, "light");
  const icons = await page.locator('link[rel="icon"]').evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
  expect(icons.length).toBeGreaterThan(0);
  for (const icon of icons) expect((await fetch(icon)).status, icon).toBe(200);
});

test("a key id that names none of the user's keys (/keys/999999999, /keys/abc) is titled “Page not found · Keysmith”, as the page says", async () => {
  browser.expectConsoleError(/keys\/(999999999|abc): Failed to load resource: .* 404/);
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  for (const id of ["999999999", "abc"]) {
    await page.goto(`${baseUrl}/keys/${id}`);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await expect(page.title()).resolves.toBe("Page not found · Keysmith");
  }
  await context.close();
});

test("an unknown address answers 404 with a page titled “Page not found · Keysmith” that links back to the start", async () => {
  // the browser logs the document's own 404
  browser.expectConsoleError(/no-such-page: Failed to load resource: .* 404/);
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const response = await page.goto(`${baseUrl}/no-such-page`);
  expect(response?.status()).toBe(404);
  await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
  await expect(page.title()).resolves.toBe("Page not found · Keysmith");
  await expect(page.locator("main").getByRole("link", { name: "Go to the start page" }).getAttribute("href")).resolves.toBe("/");
  await expectNoSeriousAxeViolations(page, "the 404 page");
});
