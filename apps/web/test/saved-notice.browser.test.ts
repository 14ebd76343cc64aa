import { expect, inject, test } from "vitest";

import { browserForFile, createKeyFromPage, signUpThroughForm, uniqueUser } from "./browser.ts";

/** The edit form's "Changes saved." belongs to the save that made it, not the submits after it. */
const baseUrl = inject("baseUrl");
const browser = browserForFile();

test("after “Changes saved.”, a next submit refused for a rate limit of 0 shows its error and no “Changes saved.”", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  const { id } = await createKeyFromPage(page, "edited twice");
  await page.goto(`${baseUrl}/keys/${id}`);
  const form = page.locator("form.key-form");
  await form.getByLabel("Name", { exact: true }).fill("renamed");
  await form.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Changes saved.").waitFor();

  await form.getByLabel("Rate limit per minute (optional)").fill("0");
  await form.getByRole("button", { name: "Save changes" }).click();
  await form.getByText("Rate limit must be a whole number from 1 to 1,000,000.").waitFor();
  await expect(page.getByText("Changes saved.").count()).resolves.toBe(0);
});
