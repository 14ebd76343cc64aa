import { expect, inject, test } from "vitest";

import { browserForFile, createKeyFromPage, signUpThroughForm, tryListingKeysInSwagger, uniqueUser } from "./browser.ts";

const baseUrl = inject("baseUrl");
// fails the test on any CSP violation, console error or uncaught exception (see browserForFile)
const browser = browserForFile();

test("under the pages' nonce CSP, signing up, listing a key on /keys, and Swagger UI's “Try it out” run with nothing blocked and no console or page error", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const policies: string[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "document") policies.push(response.headers()["content-security-policy"] ?? "none");
  });

  await page.goto(`${baseUrl}/`);
  await page.getByText("Database reachable").waitFor();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  // the key pages' own forms are tested in keys.browser.test.ts; here the list must render under the policy
  await createKeyFromPage(page, "under the policy");
  await page.reload();
  await page.getByText("under the policy").first().waitFor();

  await page.getByRole("link", { name: "API reference" }).click();
  await page.locator(".opblock").first().waitFor();
  const tried = await tryListingKeysInSwagger(page);
  expect(tried.status).toContain("200");
  expect(tried.response).toContain("under the policy");

  // the walk proves something only if every document it loaded was under the policy
  expect(policies.length).toBeGreaterThanOrEqual(3);
  for (const policy of policies) expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic';/);
});
