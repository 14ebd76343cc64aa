import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@keysmith/auth";
import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { SCOPES } from "@keysmith/validators";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";

import { browserForFile, expectNoHorizontalScroll, expectNoSeriousAxeViolations, uniqueUser } from "./browser.ts";
import { request, signUpOverHttp } from "./http.ts";

/**
 * /keys with 64 keys: pages of 25 in the server's HTML and behind "Load
 * more", search by name and by prefix, the status filter, the sort, all kept
 * in the URL; on a phone the list is cards. The keys are written straight to
 * the database (their hashes are real, but no test uses them).
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

// service-00 is the newest, service-59 the oldest; four billing keys are older still
const REVOKED = [3, 17];
const EXPIRED = [5, 23, 41];
const ROLLING = [7];
const EXPIRING = [11, 12];
const USED: Record<number, number> = { 20: HOUR, 30: 2 * HOUR, 40: 3 * DAY };
const name = (n: number) => `service-${String(n).padStart(2, "0")}`;

let token = "";
const prefixes = new Map<string, string>();

beforeAll(async () => {
  const user = uniqueUser();
  token = await signUpOverHttp(baseUrl, user);
  const { id: userId } = await getDb().user.findUniqueOrThrow({ where: { username: user.username } });
  const now = Date.now();
  const rows = [
    ...Array.from({ length: 60 }, (_, n) => ({
      name: name(n),
      createdAt: new Date(now - (n + 1) * HOUR),
      revokedAt: REVOKED.includes(n) ? new Date(now - DAY) : ROLLING.includes(n) ? new Date(now + HOUR) : null,
      rolledAt: ROLLING.includes(n) ? new Date(now - HOUR) : null,
      expiresAt: EXPIRED.includes(n) ? new Date(now - DAY) : EXPIRING.includes(n) ? new Date(now + 3 * DAY) : null,
      lastUsedAt: USED[n] ? new Date(now - USED[n]) : null,
    })),
    ...[1, 2, 3, 4].map((n) => ({ name: `billing-worker-${n}`, createdAt: new Date(now - (100 + n) * HOUR) })),
  ];
  await getDb().apiKey.createMany({
    data: rows.map((row) => {
      const key = generateApiKey();
      prefixes.set(row.name, apiKeyDisplayPrefix(key));
      return { ...row, userId, keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key), scopes: [...SCOPES] };
    }),
  });
});

async function openKeys(path = "/keys", viewport = { width: 1280, height: 900 }, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme });
  await context.addCookies([{ name: "keysmith_session", value: token, url: baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  await page.locator(".key-list-foot [role=status], .empty-state").first().waitFor();
  return page;
}

const rows = (page: Page) => page.locator("table.key-table tbody tr");
const rowNames = (page: Page) => page.locator("table.key-table tbody td.key-name a").allTextContents();
const summary = (page: Page) => page.locator(".key-list-foot [role=status]");

test("the server's HTML holds the first 25 keys of the URL's filters and no loading message", async () => {
  const cookie = `keysmith_session=${token}`;
  const all = await request(baseUrl, { method: "GET", path: "/keys", headers: { cookie } });
  expect(all.status).toBe(200);
  expect(all.body.match(/data-testid="key-row-/g)).toHaveLength(25);
  expect(all.body).toContain("service-00");
  // React separates adjacent text with empty comments
  expect(all.body.replaceAll("<!-- -->", "")).toContain("Showing the first 25 keys");
  expect(all.body).not.toContain("Loading your keys");

  const revoked = await request(baseUrl, { method: "GET", path: "/keys?status=revoked&search=service", headers: { cookie } });
  expect(revoked.body.match(/data-testid="key-row-/g)).toHaveLength(2);
  expect(revoked.body.replaceAll("<!-- -->", "")).toContain("Showing all 2 keys that match");
});

test("signed out, /keys with filters redirects to /login with next= holding the same filters", async () => {
  const answer = await request(baseUrl, { method: "GET", path: "/keys?status=revoked&sort=oldest" });
  expect(answer.status).toBe(307);
  expect(answer.headers.location).toBe(`/login?next=${encodeURIComponent("/keys?status=revoked&sort=oldest").replaceAll("%2F", "/")}`);
});

test("the first page shows 25 keys (name, prefix, status, created, last used, expires) in under 1,000 DOM nodes; Load more adds 25 at a time, focusing the first key it brought, until all 64 show in order", async () => {
  const page = await openKeys();
  await expect(rows(page).count()).resolves.toBe(25);
  await expect(summary(page).textContent()).resolves.toBe("Showing the first 25 keys");
  expect(await page.evaluate(() => document.getElementsByTagName("*").length)).toBeLessThan(1000);
  // each row: name link, prefix, status, created, last used, expires
  const first = rows(page).first();
  await expect(first.locator("td").allTextContents()).resolves.toEqual([
    "service-00",
    `${prefixes.get("service-00")}…`,
    "Active",
    expect.stringMatching(/\d/),
    "never",
    "never",
  ]);

  await page.getByRole("button", { name: "Load more" }).click();
  await rows(page).nth(49).waitFor();
  await expect(rows(page).count()).resolves.toBe(50);
  // focus moves to the first key the click brought
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("service-25");
  await page.getByRole("button", { name: "Load more" }).click();
  await summary(page).getByText("Showing all 64 keys").waitFor();
  await expect(rows(page).count()).resolves.toBe(64);
  await expect(page.getByRole("button", { name: "Load more" }).count()).resolves.toBe(0);
  await expect(rowNames(page)).resolves.toEqual([...Array.from({ length: 60 }, (_, n) => name(n)), ...[1, 2, 3, 4].map((n) => `billing-worker-${n}`)]);
});

test("a whole key pasted into search leaves only its display prefix in the URL and the search box, and finds the key", async () => {
  const page = await openKeys();
  const prefix = prefixes.get("service-42") ?? "";
  const wholeKey = `${prefix}${"Q".repeat(40)}`;
  await page.getByLabel("Search").fill(wholeKey);
  await page.waitForURL(`${baseUrl}/keys?search=${encodeURIComponent(prefix)}`);
  await page.locator("td.key-name a", { hasText: "service-42" }).waitFor();
  await expect(page.getByLabel("Search").inputValue()).resolves.toBe(prefix);
  expect(page.url()).not.toContain("QQQQ");
});

test("search by name and by key prefix narrows the list, goes in the URL and survives a reload", async () => {
  const page = await openKeys();
  await page.getByLabel("Search").fill("BILLING");
  await page.waitForURL(`${baseUrl}/keys?search=BILLING`);
  await summary(page).getByText("Showing all 4 keys that match").waitFor();
  await expect(rowNames(page)).resolves.toEqual(["billing-worker-1", "billing-worker-2", "billing-worker-3", "billing-worker-4"]);

  const prefix = prefixes.get("service-42") ?? "";
  await page.getByLabel("Search").fill(prefix);
  await page.waitForURL(`${baseUrl}/keys?search=${encodeURIComponent(prefix)}`);
  await page.locator("td.key-name a", { hasText: "service-42" }).waitFor();
  for (const shown of await page.locator("table.key-table tbody td[data-label=Key] code").allTextContents()) {
    expect(shown.toLowerCase().startsWith(prefix.toLowerCase())).toBe(true);
  }

  await page.reload();
  await expect(page.getByLabel("Search").inputValue()).resolves.toBe(prefix);
  await expect(rowNames(page)).resolves.toContain("service-42");
  await expect(page.locator("td.key-name a", { hasText: "billing" }).count()).resolves.toBe(0);
});

test("the status filter shows exactly the revoked, expired, rolling and expiring keys, with their badges", async () => {
  const page = await openKeys();
  const cases = [
    ["revoked", "Revoked", REVOKED],
    ["expired", "Expired", EXPIRED],
    ["rolling", "Rolling", ROLLING],
    ["expiring", "Expiring soon", EXPIRING],
  ] as const;
  for (const [status, label, numbers] of cases) {
    await page.getByLabel("Status").selectOption(status);
    await page.waitForURL(`${baseUrl}/keys?status=${status}`);
    await summary(page).getByText(`Showing ${numbers.length === 1 ? "1 key that matches" : `all ${numbers.length} keys that match`}`).waitFor();
    await expect(rowNames(page)).resolves.toEqual(numbers.map(name));
    await expect(page.locator("table.key-table tbody .key-status").allTextContents()).resolves.toEqual(numbers.map(() => label));
  }
});

test("a filter that matches nothing says so and Clear filters brings back the full list", async () => {
  const page = await openKeys("/keys?status=revoked&search=billing");
  await page.getByText("No revoked keys match “billing”.").waitFor();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  await summary(page).getByText("Showing the first 25 keys").waitFor();
  await expect(page.getByLabel("Search").inputValue()).resolves.toBe("");
  await expect(page.getByLabel("Status").inputValue()).resolves.toBe("");
});

test("sorting oldest first and by last use (never-used keys last, newest first) reorders the list; Back and reload keep the URL's sort", async () => {
  const page = await openKeys();
  await page.getByLabel("Sort").selectOption("oldest");
  await page.waitForURL(`${baseUrl}/keys?sort=oldest`);
  await expect.poll(() => rowNames(page).then((names) => names.slice(0, 5))).toEqual(["billing-worker-4", "billing-worker-3", "billing-worker-2", "billing-worker-1", "service-59"]);

  await page.getByLabel("Sort").selectOption("last_used");
  await page.waitForURL(`${baseUrl}/keys?sort=last_used`);
  await expect.poll(() => rowNames(page).then((names) => names.slice(0, 4))).toEqual(["service-20", "service-30", "service-40", "billing-worker-4"]);

  await page.goBack();
  await page.waitForURL(`${baseUrl}/keys?sort=oldest`);
  await expect.poll(() => page.getByLabel("Sort").inputValue()).toBe("oldest");
  await expect.poll(() => rowNames(page).then((names) => names[0])).toBe("billing-worker-4");

  await page.reload();
  await expect(page.getByLabel("Sort").inputValue()).resolves.toBe("oldest");
  await expect(rowNames(page).then((names) => names[0])).resolves.toBe("billing-worker-4");
});

test("at 390 px the list is cards without sideways scroll, and the create dialog fits the screen", async () => {
  const page = await openKeys("/keys", { width: 390, height: 844 });
  await expectNoHorizontalScroll(page, "/keys at 390 px");
  await expect(page.locator("table.key-table thead").boundingBox().then((box) => box?.height)).resolves.toBeLessThanOrEqual(1);
  await expect(rows(page).first().evaluate((row) => getComputedStyle(row).display)).resolves.toBe("block");
  // each value is labelled on its card
  const labels = await rows(page).first().locator("td[data-label]").evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell, "::before").content));
  expect(labels).toEqual(['"Key"', '"Status"', '"Created"', '"Last used"', '"Expires"']);

  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a key" });
  const box = await dialog.boundingBox();
  expect(box?.x).toBeGreaterThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  expect(box?.height).toBeLessThanOrEqual(844);
  await expectNoHorizontalScroll(page, "/keys at 390 px with the create dialog open");
});

test("a click beside the create dialog keeps it open with what was typed; Esc closes it", async () => {
  const page = await openKeys();
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a key" });
  await dialog.getByLabel("Name").fill("half typed");
  await page.mouse.click(5, 5);
  await expect(dialog.getByLabel("Name").inputValue()).resolves.toBe("half typed");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
});

test("on a desktop the table fits inside its card", async () => {
  const page = await openKeys("/keys", { width: 1024, height: 800 });
  const widths = await page.locator(".key-list-card").evaluate((card) => ({
    card: card.clientWidth,
    scroll: card.scrollWidth,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.card);
  await expectNoHorizontalScroll(page, "/keys at 1024 px");
});

test.for(["light", "dark"] as const)("axe finds no serious or critical problem on the desktop list and the create dialog with its errors (%s)", async (scheme) => {
  const page = await openKeys("/keys?status=expiring", { width: 1280, height: 900 }, scheme);
  await expectNoSeriousAxeViolations(page, `/keys (${scheme})`);
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a key" });
  await dialog.getByRole("checkbox", { name: "keys:read" }).uncheck();
  await dialog.getByRole("checkbox", { name: "keys:write" }).uncheck();
  await dialog.getByRole("checkbox", { name: "keys:verify" }).uncheck();
  await dialog.getByRole("button", { name: "Create key" }).click();
  await dialog.getByText("Choose at least one scope.").waitFor();
  await expectNoSeriousAxeViolations(page, `/keys create dialog with errors (${scheme})`);
});
