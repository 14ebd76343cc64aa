import { type Locator, type Page } from "playwright-core";
import { expect, inject, test } from "vitest";

import { browserForFile, signUpThroughForm, uniqueUser } from "./browser.ts";

/**
 * A number field holding text the browser cannot read as a number ("5-",
 * "e") reports an empty value, which the key forms would otherwise take as
 * "no limit" or "unlimited": these check it is refused instead.
 */
const baseUrl = inject("baseUrl");
const browser = browserForFile();

const RATE_ERROR = "Rate limit must be a whole number from 1 to 1,000,000.";
const CREDITS_ERROR = /^Credits must be a whole number from 0 to /;

async function signedIn(): Promise<{ page: Page; sent: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sent: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/trpc/apiKeys.create") || request.url().includes("/api/trpc/apiKeys.update")) sent.push(request.url());
  });
  await signUpThroughForm(page, baseUrl, uniqueUser());
  return { page, sent };
}

/** Playwright's fill() refuses non-numbers in a number input; a person's keystrokes do not. */
async function typeInto(field: Locator, text: string) {
  await field.clear();
  await field.pressSequentially(text);
}

const describedBy = (field: Locator) => field.evaluate((input) => document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent);
const focused = (field: Locator) => field.evaluate((input) => input === document.activeElement);

test("in the create dialog, “5-” as the rate limit and “e” as the credits are refused with an error tied to each field, focus goes to the rate limit, and nothing is sent", async () => {
  const { page, sent } = await signedIn();
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a key" });
  await dialog.getByLabel("Name", { exact: true }).fill("typo");
  const rate = dialog.getByLabel("Rate limit per minute (optional)");
  const credits = dialog.getByLabel("Credits (optional)");
  await typeInto(rate, "5-");
  await typeInto(credits, "e");
  await dialog.getByRole("button", { name: "Create key" }).click();

  await dialog.getByText(RATE_ERROR).waitFor();
  await expect(rate.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(describedBy(rate)).resolves.toBe(RATE_ERROR);
  await expect(credits.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(describedBy(credits)).resolves.toMatch(CREDITS_ERROR);
  await expect.poll(() => focused(rate)).toBe(true);
  expect(sent).toEqual([]);
});

test("in a key's edit form, “20-” typed over a rate limit of 10 is refused with an error tied to the field, which takes focus; nothing is sent and the key still shows 10 per minute after a reload", async () => {
  const { page, sent } = await signedIn();
  const id = await page.evaluate(async () => {
    const response = await fetch("/api/v1/api-keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "limited", rate_limit_per_minute: 10 }) });
    return ((await response.json()) as { data: { id: number } }).data.id;
  });
  await page.goto(`${baseUrl}/keys/${id}`);
  const form = page.locator("form.key-form");
  const rate = form.getByLabel("Rate limit per minute (optional)");
  await expect(rate.inputValue()).resolves.toBe("10");
  await typeInto(rate, "20-");
  await form.getByRole("button", { name: "Save changes" }).click();

  await form.getByText(RATE_ERROR).waitFor();
  await expect(rate.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(describedBy(rate)).resolves.toBe(RATE_ERROR);
  await expect.poll(() => focused(rate)).toBe(true);
  await expect(page.getByText("Changes saved.").count()).resolves.toBe(0);
  expect(sent).toEqual([]);

  await page.reload();
  const limit = page.locator(".key-facts > div").filter({ has: page.getByText("Rate limit", { exact: true }) }).locator("dd");
  await expect(limit.textContent()).resolves.toBe("10 per minute");
});
