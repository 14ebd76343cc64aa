import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@keysmith/auth";
import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { SCOPES } from "@keysmith/validators";
import { type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, expect, inject, test } from "vitest";

import { browserForFile, uniqueUser } from "./browser.ts";
import { signUpOverHttp } from "./http.ts";

/**
 * The dialog that shows a new key once (after create and after roll): until
 * the key is copied, closing it asks first and leaving the page makes the
 * browser ask; once closed, the list marks the new key's row.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();

const HOUR = 60 * 60 * 1000;

/** A signed-up user with `count` keys made an hour apart (the first is the newest); their session token and key ids. */
async function userWithKeys(count: number): Promise<{ token: string; ids: number[] }> {
  const user = uniqueUser();
  const token = await signUpOverHttp(baseUrl, user);
  const { id: userId } = await getDb().user.findUniqueOrThrow({ where: { username: user.username } });
  const now = Date.now();
  const rows = await getDb().apiKey.createManyAndReturn({
    data: Array.from({ length: count }, (_, n) => {
      const key = generateApiKey();
      return { userId, name: `existing-${n}`, createdAt: new Date(now - (n + 1) * HOUR), keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key), scopes: [...SCOPES] };
    }),
    select: { id: true },
  });
  return { token, ids: rows.map((row) => row.id) };
}

async function signedInPage(token: string, path: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  await context.addCookies([{ name: "keysmith_session", value: token, url: baseUrl }]);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  return page;
}

/** Creates a key through the create dialog; returns the show-once dialog and the key it shows. */
async function createKey(page: Page, name: string) {
  await page.getByRole("button", { name: "Create key" }).click();
  const form = page.getByRole("dialog", { name: "Create a key" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: `Your new key “${name}”` });
  await dialog.waitFor();
  const key = (await dialog.getByTestId("new-key-value").textContent()) ?? "";
  expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
  const id = Number(await dialog.getByTestId("new-key-id").textContent());
  return { dialog, key, id };
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? null);

test("before the key is copied, Esc, Done and a click outside each ask first with focus on Keep open, which keeps the same key; copying only the id still asks; Close without copying drops the key from the page and highlights its row", async () => {
  const { token } = await userWithKeys(0);
  const page = await signedInPage(token, "/keys");
  const { dialog, key, id } = await createKey(page, "guarded");
  const confirm = page.getByRole("alertdialog", { name: "Close without copying?" });

  await dialog.getByRole("button", { name: "Copy id" }).click();
  await dialog.getByRole("button", { name: "Id copied" }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(String(id));

  const ways: [string, () => Promise<void>][] = [
    ["Esc", () => page.keyboard.press("Escape")],
    ["Done", () => dialog.getByRole("button", { name: "Done" }).click()],
    ["a click outside", () => page.mouse.click(3, 3)],
  ];
  for (const [way, close] of ways) {
    await close();
    await confirm.waitFor();
    await expect(confirm.textContent(), way).resolves.toContain("You have not copied this key. Close anyway? It cannot be shown again.");
    // focus moves into the question, on the safe answer
    await expect(focusedText(page), way).resolves.toBe("Keep open");
    await confirm.getByRole("button", { name: "Keep open" }).click();
    await confirm.waitFor({ state: "detached" });
    await expect(dialog.getByTestId("new-key-value").textContent(), way).resolves.toBe(key);
  }

  await page.keyboard.press("Escape");
  await confirm.getByRole("button", { name: "Close without copying" }).click();
  await dialog.waitFor({ state: "detached" });
  await expect(page.content()).resolves.not.toContain(key);
  const row = page.getByTestId(`key-row-${id}`);
  await expect(row.getAttribute("class")).resolves.toContain("key-row-new");
  await expect(row.getByText("New", { exact: true }).count()).resolves.toBe(1);
});

test("after Copy, Esc closes at once; with the new key beyond the loaded page of the oldest-first list, the list turns to newest first and the new row is highlighted, focused and in view", async () => {
  const { token } = await userWithKeys(30);
  const page = await signedInPage(token, "/keys?sort=oldest", { viewport: { width: 1280, height: 600 } });
  // the first page (25 oldest) cannot hold the new key; scrolled to the bottom, away from where it will show
  await page.locator("table.key-table tbody tr").nth(24).waitFor();
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));

  const { dialog, key, id } = await createKey(page, "copied-first");
  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  await dialog.getByRole("button", { name: "Copied", exact: true }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  await expect(page.getByRole("alertdialog").count()).resolves.toBe(0);

  await page.waitForURL(`${baseUrl}/keys`);
  const row = page.getByTestId(`key-row-${id}`);
  await expect.poll(() => row.getAttribute("class")).toContain("key-row-new");
  await expect.poll(() => focusedText(page)).toBe("copied-first");
  await expect(page.locator("table.key-table tbody tr").first().getAttribute("data-testid")).resolves.toBe(`key-row-${id}`);
  const inView = await row.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  });
  expect(inView).toBe(true);
});

test("a reload before the key is copied makes the browser ask to leave; staying keeps the key shown; after Copy a reload asks nothing", async () => {
  const { token } = await userWithKeys(0);
  const page = await signedInPage(token, "/keys");
  const asked: string[] = [];
  page.on("dialog", (prompt) => {
    asked.push(prompt.type());
    void prompt.dismiss();
  });
  // the clicks that created the key are the user gesture a beforeunload prompt needs
  const { dialog, key } = await createKey(page, "unload-guarded");

  await page.evaluate(() => setTimeout(() => window.location.reload(), 0));
  await expect.poll(() => asked).toEqual(["beforeunload"]);
  await expect(dialog.getByTestId("new-key-value").textContent()).resolves.toBe(key);

  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  await dialog.getByRole("button", { name: "Copied", exact: true }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  expect(asked).toEqual(["beforeunload"]);
  await expect(page.content()).resolves.not.toContain(key);
});

test("a roll's new key is guarded the same way, and closing it moves focus to the “Replaced by” link", async () => {
  const { token, ids } = await userWithKeys(1);
  const page = await signedInPage(token, `/keys/${ids[0]}`);
  await page.getByRole("button", { name: "Roll", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Roll now" }).click();
  const dialog = page.getByRole("dialog", { name: "The new key for “existing-0”" });
  await dialog.waitFor();

  await page.keyboard.press("Escape");
  const confirm = page.getByRole("alertdialog", { name: "Close without copying?" });
  await confirm.getByRole("button", { name: "Close without copying" }).click();
  await dialog.waitFor({ state: "detached" });
  await expect.poll(() => focusedText(page)).toMatch(/^Replaced by key #\d+ \(existing-0\)$/);
});

test("when the copy finishes while “Close without copying?” is open (Copy, then Done before the clipboard answers), the question and the key's dialog both close", async () => {
  const { token } = await userWithKeys(0);
  const page = await signedInPage(token, "/keys");
  // a slow clipboard: the copy is reported 400 ms after the click
  await page.evaluate(() => {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text: string) => new Promise((resolve) => setTimeout(resolve, 400)).then(() => write(text));
  });
  const { dialog } = await createKey(page, "slow-clipboard");
  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  await dialog.getByRole("button", { name: "Done" }).click();
  await page.getByRole("alertdialog", { name: "Close without copying?" }).waitFor();
  await page.getByRole("alertdialog").waitFor({ state: "detached" });
  await page.getByRole("dialog", { name: "Your new key “slow-clipboard”", includeHidden: true }).waitFor({ state: "detached" });
});
