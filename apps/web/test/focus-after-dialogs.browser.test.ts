import { type Page } from "playwright-core";
import { expect, inject, test } from "vitest";

import { browserForFile, createKeyFromPage, signUpThroughForm, uniqueUser } from "./browser.ts";

/** Where keyboard focus lands once a dialog closes: never on the page's body. */
const baseUrl = inject("baseUrl");
const browser = browserForFile();

async function signedIn(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  return page;
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? null);

test("closing the create dialog with Esc or Cancel gives focus back to “Create your first key” on an empty list, and to “Create key” in the list's header", async () => {
  const page = await signedIn();
  const dialog = page.getByRole("dialog", { name: "Create a key" });
  for (const opener of ["Create your first key", "Create key"]) {
    for (const close of ["Escape", "Cancel"]) {
      await page.getByRole("button", { name: opener, exact: true }).click();
      await dialog.waitFor();
      if (close === "Escape") await page.keyboard.press("Escape");
      else await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });
      await expect.poll(() => focusedText(page), { message: `focus after ${close} from “${opener}”` }).toBe(opener);
    }
  }
});

test("after “Yes, revoke” on a key's page, focus is on the Actions heading", async () => {
  const page = await signedIn();
  const { id } = await createKeyFromPage(page, "revoked here");
  await page.goto(`${baseUrl}/keys/${id}`);
  await page.getByRole("button", { name: "Revoke", exact: true }).click();
  const confirm = page.getByRole("alertdialog", { name: "Revoke “revoked here”?" });
  await confirm.getByRole("button", { name: "Yes, revoke" }).click();
  await confirm.waitFor({ state: "detached" });
  await expect.poll(() => page.locator(".key-title .key-status").textContent()).toBe("Revoked");
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("key-actions-title");
});
