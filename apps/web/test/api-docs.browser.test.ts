import { expect, inject, test } from "vitest";

import { browserForFile, signUpThroughForm, tryListingKeysInSwagger, uniqueUser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

test("/docs/api lists every route of the document and runs a request with the session", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const external: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith("data:")) external.push(request.url());
  });
  await signUpThroughForm(page, baseUrl, uniqueUser());
  await page.getByLabel("Name", { exact: true }).fill("listed from the docs");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("button", { name: "I have copied it" }).click();

  await page.goto(`${baseUrl}/docs/api`);
  await page.locator(".opblock").first().waitFor();
  const document = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const expected = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
  const shown = await page.locator(".opblock-summary").evaluateAll((blocks) =>
    blocks.map((block) => `${block.querySelector(".opblock-summary-method")?.textContent ?? ""} ${block.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? ""}`),
  );
  expect(shown.sort()).toEqual(expected.sort());

  // GET /api/v1/api-keys, tried from the page, authenticated by the session cookie
  const tried = await tryListingKeysInSwagger(page);
  expect(tried.status).toContain("200");
  expect(tried.response).toContain("listed from the docs");
  expect(external).toEqual([]);
  await context.close();
});
