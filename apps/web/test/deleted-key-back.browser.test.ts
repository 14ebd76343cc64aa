import { expect, inject, test } from "vitest";

import { browserForFile, createKeyFromPage, signUpThroughForm, uniqueUser } from "./browser.ts";

/** Back to a key's page after deleting it: the browser's copy of the page must not bring the key back to life. */
const baseUrl = inject("baseUrl");
const browser = browserForFile();

test("Back after deleting a key from its page says the key could not be loaded and shows no status", async () => {
  // asking for the deleted key is refused on purpose
  browser.expectConsoleError(/status of 404 \(Not Found\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  const { id } = await createKeyFromPage(page, "deleted then revisited");
  await page.goto(`${baseUrl}/keys/${id}`);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Yes, delete" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  await page.getByRole("heading", { name: "API keys" }).waitFor();

  await page.goBack();
  await page.waitForURL(`${baseUrl}/keys/${id}`);
  await page.getByText("This key could not be loaded").waitFor();
  await expect(page.locator(".key-title .key-status").count()).resolves.toBe(0);
});
