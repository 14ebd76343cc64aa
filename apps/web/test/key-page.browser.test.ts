import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@keysmith/auth";
import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { SCOPES } from "@keysmith/validators";
import { type BrowserContextOptions, type Locator, type Page } from "playwright-core";
import { afterAll, expect, inject, test } from "vitest";

import { browserForFile, expectNoHorizontalScroll, expectNoSeriousAxeViolations, uniqueUser } from "./browser.ts";
import { request, signUpOverHttp } from "./http.ts";

/**
 * /keys/[id]: what a key is (dates in the viewer's time zone), editing it
 * (scopes only narrow; the server's refusals in plain words), its roll
 * lineage, and revoke and delete behind a confirmation.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface KeySpec {
  name: string;
  description?: string;
  scopes?: string[];
  rateLimitPerMinute?: number;
  createdAt?: Date;
  expiresAt?: Date;
  lastUsedAt?: Date;
  /** Imported in another format: verified through the verify route only. */
  foreign?: boolean;
}

/** A signed-up user's session token, the user's id, and a way to give them keys (written to the database). */
async function newUser() {
  const user = uniqueUser();
  const token = await signUpOverHttp(baseUrl, user);
  const { id: userId } = await getDb().user.findUniqueOrThrow({ where: { username: user.username } });
  return {
    token,
    async addKey(spec: KeySpec) {
      const key = generateApiKey();
      const row = await getDb().apiKey.create({
        data: { scopes: [...SCOPES], ...spec, userId, keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) },
      });
      return { id: row.id, prefix: row.prefix, key };
    },
  };
}

async function openKeyPage(token: string, id: number, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  await context.addCookies([{ name: "keysmith_session", value: token, url: baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/keys/${id}`);
  await page.getByRole("heading", { level: 2, name: "Details" }).waitFor();
  return page;
}

/** The value next to `label` in the key's details. */
const fact = (page: Page, label: string) => page.locator(".key-facts > div").filter({ has: page.getByText(label, { exact: true }) }).locator("dd");
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? null);

test("the server's HTML shows dates in UTC; the page then shows id (Copy id copies it), prefix, description, scopes, rate limit, status, and dates in the viewer's time zone and relative to now; its title names the key", async () => {
  const owner = await newUser();
  const now = Date.now();
  const expiresAt = new Date(now + 3 * DAY + HOUR);
  const { id, prefix } = await owner.addKey({
    name: "payments",
    description: "charges cards",
    scopes: ["keys:read", "keys:write"],
    rateLimitPerMinute: 1200,
    createdAt: new Date(now - 10 * DAY),
    expiresAt,
    lastUsedAt: new Date(now - 2 * HOUR),
  });

  // before the browser knows its zone, the page says UTC: the server's HTML has no local or relative time
  const html = (await request(baseUrl, { method: "GET", path: `/keys/${id}`, headers: { cookie: `keysmith_session=${owner.token}` } })).body;
  expect(html).toContain(`${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`);
  expect(html).not.toContain("in 3 days");

  const page = await openKeyPage(owner.token, id, { timezoneId: "Asia/Tokyo", locale: "en-US" });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  await expect(page.title()).resolves.toBe("Key “payments” · Keysmith");
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("payments");
  await expect(page.locator(".key-title .key-status").textContent()).resolves.toBe("Expiring soon");
  await expect(fact(page, "Key id").locator("code").textContent()).resolves.toBe(String(id));
  await expect(fact(page, "Prefix").textContent()).resolves.toBe(`${prefix}…`);
  await expect(fact(page, "Description").textContent()).resolves.toBe("charges cards");
  await expect(fact(page, "Scopes").locator("code").allTextContents()).resolves.toEqual(["keys:read", "keys:write"]);
  await expect(fact(page, "Rate limit").textContent()).resolves.toBe("1,200 per minute");

  const tokyo = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Tokyo" });
  await expect.poll(() => fact(page, "Expires").textContent()).toBe(`${tokyo.format(expiresAt)} (in 3 days)`);
  await expect(fact(page, "Expires").locator("time").getAttribute("title")).resolves.toContain("GMT+9");
  await expect(fact(page, "Last used").textContent()).resolves.toBe("2 hours ago");
  await expect(fact(page, "Created").textContent()).resolves.toBe(`${tokyo.format(new Date(now - 10 * DAY))} (10 days ago)`);

  await fact(page, "Key id").getByRole("button", { name: "Copy id" }).click();
  await fact(page, "Key id").getByRole("button", { name: "Id copied" }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(String(id));
});

test("a key imported in another format says under Use that it is verify only and never signs in to Keysmith's API; a native key's details have no Use", async () => {
  const user = await newUser();
  const imported = await user.addKey({ name: "legacy", foreign: true });
  const native = await user.addKey({ name: "native" });
  const page = await openKeyPage(user.token, imported.id);
  await expect.poll(() => fact(page, "Use").textContent()).toMatch(/^Verify only: .* never signs in to Keysmith's own API\.$/);
  await page.goto(`${baseUrl}/keys/${native.id}`);
  await page.getByRole("heading", { level: 1, name: "native" }).waitFor();
  expect(await fact(page, "Use").count()).toBe(0);
  await page.context().close();
});

test("editing: a bad rate limit and no scopes are refused in plain words before sending, a past expiry is refused by the server next to its field, then narrowed scopes, a new name, rate limit and expiry save", async () => {
  // the past expiry is refused by the API on purpose
  browser.expectConsoleError(/status of 400 \(Bad Request\)/);
  const owner = await newUser();
  const { id } = await owner.addKey({ name: "editable" });
  const page = await openKeyPage(owner.token, id);
  const form = page.locator("form.key-form");
  const save = form.getByRole("button", { name: "Save changes" });

  await form.getByLabel("Rate limit per minute (optional)").fill("0");
  for (const scope of SCOPES) await form.getByRole("checkbox", { name: scope }).uncheck();
  await save.click();
  await form.getByText("Rate limit must be a whole number from 1 to 1,000,000.").waitFor();
  await form.getByText("Choose at least one scope.").waitFor();
  // focus lands on the first field to fix, which is marked invalid and described by its error
  const rate = form.getByLabel("Rate limit per minute (optional)");
  await expect(rate.evaluate((input) => input === document.activeElement)).resolves.toBe(true);
  await expect(rate.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(rate.evaluate((input) => document.getElementById(input.getAttribute("aria-describedby")?.split(" ").at(-1) ?? "")?.textContent)).resolves.toBe(
    "Rate limit must be a whole number from 1 to 1,000,000.",
  );

  await rate.fill("250");
  await form.getByRole("checkbox", { name: "keys:read" }).check();
  await form.getByRole("checkbox", { name: "keys:verify" }).check();
  await form.getByLabel("Expires").selectOption("custom");
  const when = form.getByLabel(/^Expiry date and time/);
  await when.fill("2020-01-31T12:00");
  await save.click();
  await form.getByText("Choose an expiry in the future.").waitFor();
  await expect(when.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(when.evaluate((input) => input === document.activeElement)).resolves.toBe(true);
  await expect(form.textContent()).resolves.not.toMatch(/expires_at|rate_limit_per_minute/);

  await form.getByLabel("Expires").selectOption("30");
  await form.getByLabel("Name", { exact: true }).fill("edited");
  await form.getByLabel("Description (optional)").fill("narrowed to read and verify");
  await save.click();
  await page.getByText("Changes saved.").waitFor();

  await expect(fact(page, "Scopes").locator("code").allTextContents()).resolves.toEqual(["keys:read", "keys:verify"]);
  await expect(fact(page, "Rate limit").textContent()).resolves.toBe("250 per minute");
  await expect(fact(page, "Expires").textContent()).resolves.toMatch(/\(in 30 days\)$/);
  await expect(fact(page, "Description").textContent()).resolves.toBe("narrowed to read and verify");
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("edited");
  // the form now offers only the scopes the key kept
  await expect(form.getByRole("checkbox").count()).resolves.toBe(2);
  await expect.poll(() => page.title()).toBe("Key “edited” · Keysmith");

  const stored = await getDb().apiKey.findUniqueOrThrow({ where: { id } });
  expect(stored).toMatchObject({ name: "edited", scopes: ["keys:read", "keys:verify"], rateLimitPerMinute: 250 });
});

test("rolling with a day's grace shows the new key once; the old key turns Rolling and links “Replaced by key #new”, which links back with “Replaces key #old (name)”", async () => {
  const owner = await newUser();
  const { id } = await owner.addKey({ name: "rotating" });
  const page = await openKeyPage(owner.token, id);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });

  await page.getByRole("button", { name: "Roll", exact: true }).click();
  const confirm = page.getByRole("alertdialog", { name: "Roll “rotating”?" });
  await confirm.getByLabel("The old key keeps working for").selectOption("86400");
  await confirm.getByRole("button", { name: "Roll now" }).click();
  const dialog = page.getByRole("dialog", { name: "The new key for “rotating”" });
  const newKey = await dialog.getByTestId("new-key-value").textContent();
  const newId = Number(await dialog.getByTestId("new-key-id").textContent());
  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  // the clipboard answers later: Done before then rightly asks "Close without copying?"
  await dialog.getByRole("button", { name: "Copied", exact: true }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(newKey);
  await dialog.getByRole("button", { name: "Done" }).click();
  // gone from the page, not only hidden (aria-hidden) behind a question asked on top of it
  await page.getByRole("dialog", { name: "The new key for “rotating”", includeHidden: true }).waitFor({ state: "detached" });
  await expect(page.getByRole("alertdialog").count()).resolves.toBe(0);

  const replacedBy = page.getByRole("link", { name: `Replaced by key #${newId} (rotating)` });
  await replacedBy.waitFor();
  await expect(page.locator(".key-title .key-status").textContent()).resolves.toBe("Rolling");
  await expect(fact(page, "Stops working").textContent()).resolves.toMatch(/\(in 1 day\)$/);
  // a key is rolled once
  await expect(page.getByRole("button", { name: "Roll", exact: true }).count()).resolves.toBe(0);

  await replacedBy.click();
  await page.waitForURL(`${baseUrl}/keys/${newId}`);
  await page.getByRole("link", { name: `Replaces key #${id} (rotating)` }).waitFor();
  await expect(page.locator(".key-title .key-status").textContent()).resolves.toBe("Active");
  await expect.poll(() => page.title()).toBe("Key “rotating” · Keysmith");
});

test("revoking asks first: Esc cancels and gives focus back to Revoke; Yes, revoke makes the key Revoked, removes Roll and Revoke, and leaves only name and description editable, a new name still saving", async () => {
  const owner = await newUser();
  const { id } = await owner.addKey({ name: "to-revoke" });
  const page = await openKeyPage(owner.token, id);
  const revoke = page.getByRole("button", { name: "Revoke", exact: true });

  await revoke.click();
  const confirm = page.getByRole("alertdialog", { name: "Revoke “to-revoke”?" });
  await confirm.waitFor();
  await expect(focusedText(page)).resolves.toBe("Cancel");
  await page.keyboard.press("Escape");
  await confirm.waitFor({ state: "detached" });
  await expect.poll(() => focusedText(page)).toBe("Revoke");
  await expect(page.locator(".key-title .key-status").textContent()).resolves.toBe("Active");

  await revoke.click();
  await confirm.getByRole("button", { name: "Yes, revoke" }).click();
  await confirm.waitFor({ state: "detached" });
  await expect.poll(() => page.locator(".key-title .key-status").textContent()).toBe("Revoked");
  await expect(page.getByRole("button", { name: /^(Roll|Revoke)$/ }).count()).resolves.toBe(0);

  const form = page.locator("form.key-form");
  await form.getByText("This key has been revoked: only its name and description can change.").waitFor();
  await expect(form.getByLabel("Expires").isDisabled()).resolves.toBe(true);
  await expect(form.getByLabel("Rate limit per minute (optional)").isDisabled()).resolves.toBe(true);
  await expect(form.getByRole("checkbox", { name: "keys:read" }).isDisabled()).resolves.toBe(true);
  await form.getByLabel("Name", { exact: true }).fill("revoked-and-renamed");
  await form.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Changes saved.").waitFor();
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("revoked-and-renamed");
});

test("a key reported leaked over REST gets a banner on /keys naming it and the reported URL as text, a Leaked badge in its row and a notice on its page; a GitHub leak's URL is a link; Dismiss removes the banner for good and the keys stay Leaked", async () => {
  const owner = await newUser();
  const reported = await owner.addKey({ name: "pasted" });
  const pushed = await owner.addKey({ name: "pushed" });
  const report = await request(baseUrl, {
    method: "POST",
    path: "/api/v1/api-keys/report-leak",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ keys: [reported.key], url: "https://paste.example/abc" }),
  });
  expect(report.status).toBe(202);
  // what a signed GitHub alert records (the endpoint itself is tested in packages/rest)
  await getDb().apiKey.update({
    where: { id: pushed.id },
    data: { revokedAt: new Date(), leakedAt: new Date(), leakSource: "github", leakLocation: "commit", leakUrl: "https://github.com/octo/repo/commit/abc" },
  });

  const context = await browser.newContext();
  await context.addCookies([{ name: "keysmith_session", value: owner.token, url: baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/keys`);
  const banner = page.getByRole("region", { name: "2 keys of yours were leaked and have been revoked" });
  await banner.waitFor();
  await expect(banner.getByRole("listitem").filter({ hasText: "pasted" }).textContent()).resolves.toMatch(/^pasted \(ak_.{4}…\): Someone reported it as leaked at https:\/\/paste\.example\/abc, /);
  await expect(banner.getByRole("link", { name: "https://paste.example/abc" }).count()).resolves.toBe(0);
  await expect(banner.getByRole("listitem").filter({ hasText: "pushed" }).textContent()).resolves.toMatch(/GitHub secret scanning found it in public \(commit\) at https:\/\/github\.com\/octo\/repo\/commit\/abc/);
  await expect(banner.getByRole("link", { name: "https://github.com/octo/repo/commit/abc" }).getAttribute("href")).resolves.toBe("https://github.com/octo/repo/commit/abc");
  await expect(page.getByTestId(`key-row-${reported.id}`).locator(".key-leaked").textContent()).resolves.toBe("Leaked");
  await expectNoSeriousAxeViolations(page, "/keys with the leak banner");

  await banner.getByRole("button", { name: "Dismiss" }).click();
  await banner.waitFor({ state: "detached" });
  await page.reload();
  await page.getByRole("heading", { level: 2, name: "Your keys" }).waitFor();
  await expect(page.getByTestId("leak-banner").count()).resolves.toBe(0);
  await expect(page.getByTestId(`key-row-${pushed.id}`).locator(".key-leaked").textContent()).resolves.toBe("Leaked");
  await context.close();

  const keyPage = await openKeyPage(owner.token, reported.id);
  await expect(keyPage.locator(".key-title .key-status").textContent()).resolves.toBe("Revoked");
  await expect(keyPage.getByTestId("leak-notice").textContent()).resolves.toMatch(/^Revoked because it leaked: Someone reported it as leaked at https:\/\/paste\.example\/abc, /);
});

/** What a sighted person reads of a leak's URL in the banner, on how many lines, and what else the page gives of it. */
async function leakUrlShown(item: Locator) {
  const url = item.locator(".leak-url");
  const shown = await url.evaluate((element) => {
    // the shortened text is the part hidden from screen readers, when there is one
    const text = element.querySelector("[aria-hidden='true']")?.textContent ?? element.textContent;
    const lines = new Set([...element.getClientRects()].map((rect) => Math.round(rect.top))).size;
    return { text, lines };
  });
  return { ...shown, title: await url.getAttribute("title"), href: await url.getAttribute("href") };
}

test.for(["light", "dark"] as const)(
  "at 390 px, a leaked key's 300-character URL in the /keys banner shows its host and path's start ending in an ellipsis on at most two lines, for a GitHub leak with the full URL as its link's href, title and accessible name, for a report as its title and in the list item's accessible text; the page does not scroll sideways and axe finds no serious or critical problem (%s)",
  async (scheme) => {
    const owner = await newUser();
    const reported = await owner.addKey({ name: "pasted" });
    const pushed = await owner.addKey({ name: "pushed" });
    const long = (start: string) => `${start}${"config/environments/production-".repeat(10)}`.slice(0, 300);
    const reportedUrl = long("https://paste.example/raw/");
    const githubUrl = long("https://github.com/octo-org/payments-service/blob/4f2c9a1e0b7d3c5a8e6f1b2d4c9a7e3f5b1d8c2a/");
    const report = await request(baseUrl, {
      method: "POST",
      path: "/api/v1/api-keys/report-leak",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ keys: [reported.key], url: reportedUrl }),
    });
    expect(report.status).toBe(202);
    await getDb().apiKey.update({
      where: { id: pushed.id },
      data: { revokedAt: new Date(), leakedAt: new Date(), leakSource: "github", leakLocation: "commit", leakUrl: githubUrl },
    });

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: scheme });
    await context.addCookies([{ name: "keysmith_session", value: owner.token, url: baseUrl }]);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/keys`);
    const banner = page.getByRole("region", { name: "2 keys of yours were leaked and have been revoked" });
    await banner.waitFor();

    const githubItem = banner.getByRole("listitem").filter({ hasText: "pushed" });
    const github = await leakUrlShown(githubItem);
    expect(github.lines, "lines of the GitHub leak's URL").toBeLessThanOrEqual(2);
    expect(github.text).toMatch(/^github\.com\/octo-org\/.*…$/);
    expect(githubUrl).toContain(github.text.slice(0, -1));
    expect(github.href).toBe(githubUrl);
    expect(github.title).toBe(githubUrl);
    await expect(githubItem.getByRole("link", { name: githubUrl, exact: true }).count()).resolves.toBe(1);

    const reportedItem = banner.getByRole("listitem").filter({ hasText: "pasted" });
    const pasted = await leakUrlShown(reportedItem);
    expect(pasted.lines, "lines of the reported leak's URL").toBeLessThanOrEqual(2);
    expect(pasted.text).toMatch(/^paste\.example\/raw\/.*…$/);
    expect(reportedUrl).toContain(pasted.text.slice(0, -1));
    expect(pasted.title).toBe(reportedUrl);
    await expect(reportedItem.ariaSnapshot()).resolves.toContain(reportedUrl);

    await expectNoHorizontalScroll(page, `/keys with long leak URLs at 390 px (${scheme})`);
    await expectNoSeriousAxeViolations(page, `/keys with long leak URLs at 390 px (${scheme})`);
  },
);

test("deleting asks first: Cancel keeps the key; Yes, delete goes back to /keys, where the key is gone and the other stays", async () => {
  const owner = await newUser();
  const kept = await owner.addKey({ name: "kept" });
  const { id } = await owner.addKey({ name: "doomed" });
  const page = await openKeyPage(owner.token, id);

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete “doomed”?" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await confirm.waitFor({ state: "detached" });
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("doomed");

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await confirm.getByRole("button", { name: "Yes, delete" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  await page.getByTestId(`key-row-${kept.id}`).waitFor();
  await expect(page.getByTestId(`key-row-${id}`).count()).resolves.toBe(0);
  await expect(getDb().apiKey.findUnique({ where: { id } })).resolves.toBeNull();
});

test("another user's key, a missing id and a non-number are 404 pages; signed out, a key page redirects to /login?next=/keys/<id>", async () => {
  const owner = await newUser();
  const stranger = await newUser();
  const { id } = await stranger.addKey({ name: "not yours" });
  const cookie = `keysmith_session=${owner.token}`;
  for (const path of [`/keys/${id}`, "/keys/2147483647", "/keys/abc", "/keys/1.5"]) {
    const answer = await request(baseUrl, { method: "GET", path, headers: { cookie } });
    expect(answer.status, path).toBe(404);
    expect(answer.body, path).not.toContain("not yours");
  }
  const signedOut = await request(baseUrl, { method: "GET", path: `/keys/${id}` });
  expect(signedOut.status).toBe(307);
  expect(signedOut.headers.location).toBe(`/login?next=/keys/${id}`);
});

test.for(["light", "dark"] as const)(
  "a key page with lineage, edit errors and the revoke dialog open has no serious or critical axe problem, and at 390 px the dialog fits and the page does not scroll sideways (%s)",
  async (scheme) => {
    const owner = await newUser();
    const { id } = await owner.addKey({ name: "checked", description: "a description long enough to wrap on a phone's narrow screen, twice over" });
    const page = await openKeyPage(owner.token, id, { viewport: { width: 390, height: 844 }, colorScheme: scheme });
    await page.getByRole("button", { name: "Roll", exact: true }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Roll now" }).click();
    const dialog = page.getByRole("dialog", { name: "The new key for “checked”" });
    await dialog.waitFor();
    await expectNoSeriousAxeViolations(page, `the new key dialog at 390 px (${scheme})`);
    const box = await dialog.boundingBox();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 390).toBe(true);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Close without copying" }).click();
    await page.getByRole("link", { name: /^Replaced by key #/ }).waitFor();

    const form = page.locator("form.key-form");
    await form.getByLabel("Name", { exact: true }).fill("");
    await form.getByRole("button", { name: "Save changes" }).click();
    await form.getByText("Give the key a name you will recognise, like “production server”.").waitFor();
    await expectNoHorizontalScroll(page, `a key page at 390 px (${scheme})`);
    await expectNoSeriousAxeViolations(page, `a key page with errors (${scheme})`);

    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByRole("alertdialog").waitFor();
    await expectNoSeriousAxeViolations(page, `the revoke dialog (${scheme})`);
  },
);
