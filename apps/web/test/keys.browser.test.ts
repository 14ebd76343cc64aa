import { type Page } from "playwright-core";
import { expect, inject, test } from "vitest";

import { browserForFile, signUpThroughForm, uniqueUser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

/** GET /api/v1/api-keys from inside the page, authenticated by the key alone. */
function listWithKey(page: Page, key: string) {
  return page.evaluate(async (value) => {
    const response = await fetch("/api/v1/api-keys", { headers: { authorization: `Bearer ${value}` }, credentials: "omit" });
    return { status: response.status, body: (await response.json()) as { status: string; data: unknown } };
  }, key);
}

/** Opens the create dialog, fills it with `fill`, submits, and returns the show-once dialog's key. */
async function createKey(page: Page, fill: (form: ReturnType<Page["getByRole"]>) => Promise<void>): Promise<string> {
  await page.getByRole("button", { name: "Create key" }).click();
  const form = page.getByRole("dialog", { name: "Create a key" });
  await fill(form);
  await form.getByRole("button", { name: "Create key" }).click();
  return (await page.getByTestId("new-key-value").textContent()) ?? "";
}

test("create a key in the dialog, see it once, copy and use it, find it nowhere after a reload, delete it from its page, and it stops working", async () => {
  // the stopped key is refused on purpose
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  await page.getByText("You have no API keys yet.").waitFor();

  const key = await createKey(page, async (form) => {
    await form.getByLabel("Name", { exact: true }).fill("ci-server");
    await form.getByLabel("Description (optional)", { exact: true }).fill("used by the browser test");
  });
  const dialog = page.getByRole("dialog", { name: "Your new key “ci-server”" });
  await expect(dialog.textContent()).resolves.toContain("this is the only time it is shown");
  expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);

  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  await dialog.getByRole("button", { name: "Copied", exact: true }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  const used = await listWithKey(page, key);
  expect(used.status).toBe(200);
  expect(used.body).toMatchObject({ status: "success", data: [{ name: "ci-server", partial_key_data: `${key.slice(0, 7)}…` }] });

  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.waitFor({ state: "detached" });
  // the list updated without a reload
  const row = page.locator("table.key-table tbody tr");
  await expect(row.count()).resolves.toBe(1);
  await expect(row.textContent()).resolves.toContain(`${key.slice(0, 7)}…`);

  await page.reload();
  await row.first().waitFor();
  const html = await page.content();
  expect(html).not.toContain(key);
  expect(html).not.toContain(key.slice(7));
  expect(html).toContain("ci-server");
  expect(html).toContain("used by the browser test");

  await page.getByRole("link", { name: "ci-server" }).click();
  await page.getByRole("heading", { level: 1, name: "ci-server" }).waitFor();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Yes, delete" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  await page.getByText("You have no API keys yet.").waitFor();

  const after = await listWithKey(page, key);
  expect(after.status).toBe(401);
  expect(after.body).toMatchObject({ status: "failed", data: null });
  await context.close();
});

test("the create form says what to fix in plain words, marks and focuses the first bad field, and a custom expiry is read and shown in the viewer's time zone", async () => {
  const context = await browser.newContext({ timezoneId: "America/New_York", locale: "en-US" });
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());

  await page.getByRole("button", { name: "Create your first key" }).click();
  const form = page.getByRole("dialog", { name: "Create a key" });
  for (const scope of ["keys:read", "keys:write", "keys:verify"]) await form.getByRole("checkbox", { name: scope }).uncheck();
  await form.getByLabel("Expires").selectOption("custom");
  await form.getByLabel("Rate limit per minute (optional)").fill("1.5");
  await form.getByRole("button", { name: "Create key" }).click();

  const name = form.getByLabel("Name", { exact: true });
  await form.getByText("Give the key a name you will recognise, like “production server”.").waitFor();
  await expect(form.getByText("Enter a date and time, or choose another expiry.").count()).resolves.toBe(1);
  await expect(form.getByText("Choose at least one scope.").count()).resolves.toBe(1);
  await expect(form.getByText("Rate limit must be a whole number from 1 to 1,000,000.").count()).resolves.toBe(1);
  await expect(form.textContent()).resolves.not.toMatch(/rate_limit_per_minute|expires_at|leave scopes out/);
  await expect(name.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(name.evaluate((input) => input === document.activeElement)).resolves.toBe(true);

  await name.fill("new-york");
  await form.getByRole("checkbox", { name: "keys:read" }).check();
  await form.getByLabel("Rate limit per minute (optional)").fill("100");
  const custom = form.getByLabel("Expiry date and time (your time zone, America/New_York)");
  await custom.fill("2031-07-04T09:30");
  // shown back in the viewer's zone before it is sent
  await form.getByText(/Expires Jul 4, 2031, 9:30 AM/).waitFor();
  await form.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Your new key “new-york”" });
  const id = await dialog.getByTestId("new-key-id").textContent();
  await page.keyboard.press("Escape");
  await page.getByRole("alertdialog").getByRole("button", { name: "Close without copying" }).click();

  await page.getByTestId(`key-row-${id}`).locator("td[data-label=Expires]").getByText("Jul 4, 2031, 9:30 AM").waitFor();
  // 09:30 in New York in July is 13:30 UTC
  await expect(page.getByTestId(`key-row-${id}`).locator("td[data-label=Expires] time").getAttribute("datetime")).resolves.toBe("2031-07-04T13:30:00.000Z");
  await context.close();
});

test("roll and revoke from the key page: the old key stops at once without grace, the new one works until revoked, and statuses say so", async () => {
  // the stopped keys are refused on purpose
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());

  const oldKey = await createKey(page, async (form) => {
    await form.getByLabel("Name", { exact: true }).fill("rotating");
    await form.getByRole("checkbox", { name: "keys:verify" }).uncheck();
    await form.getByLabel("Rate limit per minute (optional)", { exact: true }).fill("100");
  });
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  // the clipboard answers later: Done before then rightly asks "Close without copying?"
  await page.getByRole("button", { name: "Copied", exact: true }).waitFor();
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("link", { name: "rotating" }).click();
  await page.getByRole("heading", { level: 1, name: "rotating" }).waitFor();
  await expect(page.locator(".key-facts").textContent()).resolves.toMatch(/keys:readkeys:write.*100 per minute/);

  await page.getByRole("button", { name: "Roll", exact: true }).click();
  await page.getByLabel("The old key keeps working for").selectOption("0");
  await page.getByRole("button", { name: "Roll now" }).click();
  const dialog = page.getByRole("dialog", { name: "The new key for “rotating”" });
  const newKey = (await dialog.getByTestId("new-key-value").textContent()) ?? "";
  expect(newKey).toMatch(/^ak_/);
  expect(newKey).not.toBe(oldKey);
  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  await dialog.getByRole("button", { name: "Copied", exact: true }).waitFor();
  await dialog.getByRole("button", { name: "Done" }).click();

  await expect.poll(() => page.locator(".key-title .key-status").textContent()).toBe("Revoked");
  expect((await listWithKey(page, oldKey)).status).toBe(401);
  expect((await listWithKey(page, newKey)).status).toBe(200);

  await page.getByRole("link", { name: /^Replaced by key #/ }).click();
  await page.getByRole("link", { name: /^Replaces key #/ }).waitFor();
  await expect(page.locator(".key-facts").textContent()).resolves.toMatch(/keys:readkeys:write.*100 per minute/);
  await page.getByRole("button", { name: "Revoke", exact: true }).click();
  await page.getByRole("button", { name: "Yes, revoke" }).click();
  await expect.poll(() => page.locator(".key-title .key-status").textContent()).toBe("Revoked");
  expect((await listWithKey(page, newKey)).status).toBe(401);

  await page.getByRole("link", { name: "← All keys" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  await expect.poll(() => page.locator("table.key-table tbody .key-status").allTextContents()).toEqual(["Revoked", "Revoked"]);
  await context.close();
});

test("a key created in the dialog with 100 credits and a monthly refill (whose amount starts at the credits) shows “100 credits” in the list and “100 left, refilled to 100 …” on its page; its credits set to 5 there show as 5 on the page, in the list and over REST, the refill kept", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());

  await page.getByRole("button", { name: "Create key" }).click();
  const form = page.getByRole("dialog", { name: "Create a key" });
  await form.getByLabel("Name", { exact: true }).fill("metered");
  await form.getByLabel("Credits (optional)").fill("100");
  await form.getByLabel("Refill", { exact: true }).selectOption("month");
  await expect(form.getByLabel("Refill amount (credits)").inputValue()).resolves.toBe("100");
  await form.getByText("Puts the credits back to 100 at the start of each UTC month; unused credits do not carry over.").waitFor();
  await form.getByRole("button", { name: "Create key" }).click();
  const id = await page.getByRole("dialog", { name: "Your new key “metered”" }).getByTestId("new-key-id").textContent();
  await page.keyboard.press("Escape");
  await page.getByRole("alertdialog").getByRole("button", { name: "Close without copying" }).click();

  const credits = page.getByTestId(`key-row-${id}`).locator("td[data-label=Status] .key-credits");
  await expect.poll(() => credits.textContent()).toBe("100 credits");

  await page.getByRole("link", { name: "metered" }).click();
  await page.getByRole("heading", { level: 1, name: "metered" }).waitFor();
  const fact = page.locator(".key-facts > div").filter({ has: page.getByText("Credits", { exact: true }) }).locator("dd");
  await expect(fact.textContent()).resolves.toBe("100 left, refilled to 100 at the start of each UTC month");

  const edit = page.locator("form.key-form");
  await edit.getByLabel("Credits (optional)").fill("5");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Changes saved.").waitFor();
  await expect(fact.textContent()).resolves.toBe("5 left, refilled to 100 at the start of each UTC month");

  const stored = await page.evaluate(async (keyId) => ((await (await fetch(`/api/v1/api-keys/${keyId}`)).json()) as { data: unknown }).data, id);
  expect(stored).toMatchObject({ remaining: 5, refill: { amount: 100, interval: "month" } });

  await page.getByRole("link", { name: "← All keys" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  await expect.poll(() => credits.textContent()).toBe("5 credits");
  await context.close();
});
