import { expect, inject, test } from "vitest";

import { browserForFile, signUpThroughForm, uniqueUser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

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
  // the keys page now sends them back to log in
  await page.goto(`${baseUrl}/keys`);
  await page.waitForURL(`${baseUrl}/login`);

  await page.getByLabel("Username or email", { exact: true }).fill(user.email.toUpperCase());
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
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
  await page.getByLabel("Username or email", { exact: true }).fill(taken.username);
  await page.getByLabel("Password", { exact: true }).fill("the wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator(".form-error").textContent()).resolves.toBe("Wrong username or password.");
  await context.close();
});
