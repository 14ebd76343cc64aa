import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/**
 * Debian's Chromium (`apt-get install chromium`), never a downloaded browser.
 * The flags keep it from reaching for the network, which is closed here;
 * playwright gives each launch a fresh, temporary profile.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

let counter = 0;
export function uniqueUser() {
  counter += 1;
  const username = `web${counter}_${Math.random().toString(36).slice(2, 7)}`;
  return { username, email: `${username}@example.test`, name: `Web User ${counter}`, password: "a long password" };
}

export async function signUpThroughForm(page: Page, baseUrl: string, user: ReturnType<typeof uniqueUser>) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  // the URL alone could be a stop on the way to a redirect
  await page.getByRole("heading", { name: "API keys" }).waitFor();
}

/** One browser for the calling test file: launched before its tests, closed after. */
export function browserForFile(): () => Browser {
  let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });
  return () => {
    if (!launched) throw new Error("the browser is not running yet");
    return launched.browser;
  };
}
