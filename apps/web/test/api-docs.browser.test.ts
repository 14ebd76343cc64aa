import { expect, inject, test } from "vitest";

import { browserForFile, createKeyFromPage, expectNoSeriousAxeViolations, signUpThroughForm, tryListingKeysInSwagger, uniqueUser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

test("/docs/api lists every route of the document and runs GET /api/v1/api-keys with the session, as Swagger UI fills it in", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const external: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith("data:")) external.push(request.url());
  });
  await signUpThroughForm(page, baseUrl, uniqueUser());
  await createKeyFromPage(page, "listed from the docs");

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

test("every operation's copy-path button is at least 24×24 px with no pointer over it, and does not animate its width", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUpThroughForm(page, baseUrl, uniqueUser());
  await page.goto(`${baseUrl}/docs/api`);
  await page.locator(".opblock").first().waitFor();
  await page.mouse.move(0, 0);
  // Swagger UI shows these buttons only while the pointer is over their row, growing from no width over
  // half a second: a keyboard user's focus lands on an invisible button, and axe, run mid-animation, finds a
  // target under a pixel wide
  const buttons = await page.locator(".opblock-summary .copy-to-clipboard").evaluateAll((links) =>
    links.map((link) => {
      const box = (link.querySelector("button") ?? link).getBoundingClientRect();
      return { width: box.width >= 24, height: box.height >= 24, transition: getComputedStyle(link).transitionDuration };
    }),
  );
  expect(buttons.length).toBeGreaterThan(0);
  expect(buttons).toEqual(buttons.map(() => ({ width: true, height: true, transition: "0s" })));
  await context.close();
});

test.for(["light", "dark"] as const)(
  "Swagger UI in the %s scheme keeps a white background and dark text, and with a request tried, a second operation open and the Authorize dialog up has no serious or critical axe violation",
  async (scheme) => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await signUpThroughForm(page, baseUrl, uniqueUser());
    await createKeyFromPage(page, `tried in ${scheme}`);
    await page.goto(`${baseUrl}/docs/api`);
    await page.locator(".opblock").first().waitFor();

    // light whatever the page's scheme: Swagger UI's stylesheet knows no other
    const frame = await page.locator("#swagger").evaluate((element) => {
      const style = getComputedStyle(element);
      const title = element.querySelector(".opblock-summary-path");
      return { background: style.backgroundColor, scheme: style.colorScheme, text: title ? getComputedStyle(title).color : "" };
    });
    expect(frame).toEqual({ background: "rgb(255, 255, 255)", scheme: "light", text: "rgb(59, 65, 81)" });

    await tryListingKeysInSwagger(page);
    // the response's numbers are highlighted in the theme's red (#d36363, lightened in swagger-contrast.css): wait for it, so axe sees them
    await page.locator('#operations-default-getApiKeys .live-responses-table .microlight span[style*="rgb(211, 99, 99)"]').first().waitFor();
    await page.locator("#operations-default-postApiKeys .opblock-summary").click();
    await page.locator("#operations-default-postApiKeys .opblock-body").waitFor();
    await page.locator(".scheme-container .btn.authorize").click();
    await page.locator(".modal-ux").waitFor();
    await expectNoSeriousAxeViolations(page, `/docs/api in use (${scheme})`);
    await context.close();
  },
);
