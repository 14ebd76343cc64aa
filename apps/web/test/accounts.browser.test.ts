import { type Page } from "playwright-core";
import { expect, inject, test } from "vitest";

import { AFTER_LOGIN, loginPath, safeNext } from "../src/components/login-path.ts";
import { browserForFile, signUpThroughForm, uniqueUser } from "./browser.ts";
import { signUpOverHttp } from "./http.ts";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

async function logIn(page: Page, username: string, password: string) {
  await page.getByLabel("Username or email", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** The focused element's id, and the attributes that tie a field to its error. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return { id: element?.id, invalid: element?.getAttribute("aria-invalid"), describedBy: element?.getAttribute("aria-describedby") };
  });

test("a person signs up, is taken to their keys, logs out and logs back in with their email", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = uniqueUser();

  await signUpThroughForm(page, baseUrl, user);
  await expect(page.getByText(`Signed in as ${user.name} (${user.username})`).textContent()).resolves.toContain(user.username);

  const cookie = (await context.cookies()).find((c) => c.name === "keysmith_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${baseUrl}/login`);
  // the keys page now sends them back to log in, and to come back after
  await page.goto(`${baseUrl}/keys`);
  await page.waitForURL(`${baseUrl}/login?next=/keys`);

  await logIn(page, user.email.toUpperCase(), user.password);
  await page.waitForURL(`${baseUrl}/keys`);
  await context.close();
});

test("bad input is shown next to the field, from the shared schema and from the server", async () => {
  // the taken username and the wrong password are refused on purpose
  browser.expectConsoleError(/status of 409 \(Conflict\)/);
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  const taken = uniqueUser();
  await signUpThroughForm(page, baseUrl, taken);
  await context.clearCookies();

  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Username", { exact: true }).fill("x");
  await page.getByLabel("Email", { exact: true }).fill("not-an-email");
  await page.getByLabel("Name", { exact: true }).fill("Someone");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#field-username-error").textContent()).resolves.toMatch(/at least 3 characters/);
  await expect(page.locator("#field-email-error").textContent()).resolves.toMatch(/valid address/);
  await expect(page.locator("#field-password-error").textContent()).resolves.toMatch(/at least 8 characters/);

  // valid in shape, refused by the server: the username is taken
  await page.getByLabel("Username", { exact: true }).fill(taken.username);
  await page.getByLabel("Email", { exact: true }).fill(`other-${taken.email}`);
  await page.getByLabel("Password", { exact: true }).fill("a long password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#field-username-error").textContent()).resolves.toMatch(/taken/);

  await page.goto(`${baseUrl}/login`);
  await logIn(page, taken.username, "the wrong password");
  await expect(page.locator(".form-error").textContent()).resolves.toBe("Wrong username or password.");
  await context.close();
});

test("a failed submit focuses the first invalid field, which is marked aria-invalid and described by its error, in the form's words", async () => {
  browser.expectConsoleError(/status of 409 \(Conflict\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  const taken = uniqueUser();
  await signUpOverHttp(baseUrl, taken);

  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Username", { exact: true }).fill("a-fine-name");
  await page.getByLabel("Email", { exact: true }).fill("not-an-email");
  await page.getByLabel("Name", { exact: true }).fill("Someone");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  // the email is the first of the two fields in error
  await expect.poll(() => focused(page)).toEqual({ id: "field-email", invalid: "true", describedBy: "field-email-error" });
  await expect(page.locator("#field-password").getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(page.locator("#field-username").getAttribute("aria-invalid")).resolves.toBeNull();
  const messages = await page.locator(".field-error").allTextContents();
  expect(messages).toHaveLength(2);
  // the labels' words, never the API's field names
  for (const message of messages) expect(message).toMatch(/^(Email|Password) /);

  // the server's refusal moves focus too
  await page.getByLabel("Username", { exact: true }).fill(taken.username);
  await page.getByLabel("Email", { exact: true }).fill(`other-${taken.email}`);
  await page.getByLabel("Password", { exact: true }).fill("a long password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect.poll(() => focused(page)).toEqual({ id: "field-username", invalid: "true", describedBy: "field-username-error" });

  // an empty login form: the first field gets focus
  await page.goto(`${baseUrl}/login`);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect.poll(() => focused(page)).toEqual({ id: "field-username", invalid: "true", describedBy: "field-username-error" });
  await context.close();
});

test("a wrong password submitted with the Log in button (disabled while it waits) leaves focus on the first field, not on the page, once the form's error shows", async () => {
  browser.expectConsoleError(/status of 401 \(Unauthorized\)/);
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = uniqueUser();
  await signUpOverHttp(baseUrl, user);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Username or email", { exact: true }).fill(user.username);
  await page.getByLabel("Password", { exact: true }).fill("the wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator(".form-error").waitFor();
  expect(await page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.tagName)).toBe("username");
  await context.close();
});

test("safeNext keeps a path on this site and turns anything else (dot segments that resolve to another site included) into /keys; loginPath carries it readably", () => {
  expect(safeNext("/keys/12?tab=usage#roll")).toBe("/keys/12?tab=usage#roll");
  expect(safeNext(["/docs/api", "/other"])).toBe("/docs/api");
  for (const elsewhere of ["//evil.example/x", "/\\evil.example", "/\t/evil.example", "/.//evil.example", "/%2e%2e//evil.example", "/a/..//evil.example", "https://evil.example/", "javascript:alert(1)", "keys", "", null, undefined]) {
    expect(safeNext(elsewhere), JSON.stringify(elsewhere)).toBe(AFTER_LOGIN);
  }
  expect(loginPath("/keys?search=ci&status=active")).toBe("/login?next=/keys%3Fsearch%3Dci%26status%3Dactive");
  expect(loginPath("//evil.example")).toBe("/login?next=/keys");
});

test("login and sign-up go on to a same-site `next` after success, and to /keys when `next` points to another site", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = uniqueUser();

  // sign-up carries `next` from the login page's link
  await page.goto(`${baseUrl}/login?next=/docs/api`);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL(`${baseUrl}/signup?next=/docs/api`);
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/docs/api`);

  // already signed in: the login page passes straight on to `next`
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent("/docs/api?from=login")}`);
  await page.waitForURL(`${baseUrl}/docs/api?from=login`);

  for (const elsewhere of ["//evil.example/", "/\\evil.example", "https://evil.example/"]) {
    // /keys, left running, would start its own queries once the cookies are gone, and their 401 sends
    // the tab to /login, cutting off the navigation below: leave it first
    await page.goto("about:blank");
    await context.clearCookies();
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(elsewhere)}`);
    await logIn(page, user.username, user.password);
    await page.waitForURL(`${baseUrl}/keys`);
  }
  await context.close();
});
