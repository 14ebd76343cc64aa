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

test("create a key, see it once, use it, find it nowhere after a reload, delete it, and it stops working", async () => {
  // the stopped keys are refused on purpose
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  await page.getByText("You have no API keys yet").waitFor();

  await page.getByLabel("Name", { exact: true }).fill("ci-server");
  await page.getByLabel("Description (optional)", { exact: true }).fill("used by the browser test");
  await page.getByRole("button", { name: "Create key" }).click();

  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await expect(dialog.textContent()).resolves.toContain("only time it is shown");
  const key = (await page.getByTestId("new-key-value").textContent()) ?? "";
  expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);

  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  await dialog.getByRole("button", { name: "Copied", exact: true }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  const used = await listWithKey(page, key);
  expect(used.status).toBe(200);
  expect(used.body).toMatchObject({ status: "success", data: [{ name: "ci-server", partial_key_data: `${key.slice(0, 7)}…` }] });

  await dialog.getByRole("button", { name: "I have copied it" }).click();
  // the list updated without a reload
  const row = page.locator("table.keys tbody tr");
  await expect(row.count()).resolves.toBe(1);
  await expect(row.textContent()).resolves.toContain(`${key.slice(0, 7)}…`);

  await page.reload();
  await page.locator("table.keys tbody tr").first().waitFor();
  const html = await page.content();
  expect(html).not.toContain(key);
  expect(html).not.toContain(key.slice(7));
  expect(html).toContain("ci-server");
  expect(html).toContain("used by the browser test");

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await page.getByText("You have no API keys yet").waitFor();

  const after = await listWithKey(page, key);
  expect(after.status).toBe(401);
  expect(after.body).toMatchObject({ status: "failed", data: null });
  await context.close();
});

test("cancelling the confirmation keeps the key; the form shows schema errors next to the field", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());

  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.locator("#field-name-error").textContent()).resolves.toMatch(/Name is required/);

  await page.getByLabel("Name", { exact: true }).fill("keeper");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("button", { name: "I have copied it" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.reload();
  await expect(page.locator("table.keys tbody tr").count()).resolves.toBe(1);
  await context.close();
});

test("roll and revoke from the dashboard: the old key stops, the new one works until revoked, and rows say so", async () => {
  // the stopped keys are refused on purpose
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());

  await page.getByLabel("Name", { exact: true }).fill("rotating");
  await page.getByRole("checkbox", { name: "keys:verify" }).uncheck();
  await page.getByLabel("Rate limit per minute (optional)", { exact: true }).fill("100");
  await page.getByRole("button", { name: "Create key" }).click();
  const oldKey = (await page.getByTestId("new-key-value").textContent()) ?? "";
  await page.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.locator("table.keys").textContent()).resolves.toContain("keys:read · keys:write · 100/min");

  await page.getByRole("button", { name: "Roll", exact: true }).click();
  await page.getByLabel("Grace period").selectOption("0");
  await page.getByRole("button", { name: "Roll now" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.textContent()).resolves.toContain("The new key for “rotating”");
  const newKey = (await page.getByTestId("new-key-value").textContent()) ?? "";
  expect(newKey).toMatch(/^ak_/);
  expect(newKey).not.toBe(oldKey);
  await page.getByRole("button", { name: "I have copied it" }).click();

  // the list refetches after the roll: wait for both rows
  await page.locator("table.keys tbody tr").nth(1).waitFor();
  await page.getByText(/^Revoked /).waitFor();
  expect((await listWithKey(page, oldKey)).status).toBe(401);
  expect((await listWithKey(page, newKey)).status).toBe(200);

  const newRow = page.locator("table.keys tbody tr", { hasText: "Active" });
  await newRow.getByRole("button", { name: "Revoke", exact: true }).click();
  await newRow.getByRole("button", { name: "Yes, revoke" }).click();
  await page.getByText(/^Revoked /).nth(1).waitFor();
  expect((await listWithKey(page, newKey)).status).toBe(401);
  await context.close();
});
