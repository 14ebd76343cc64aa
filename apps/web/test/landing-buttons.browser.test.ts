import { type Page } from "playwright-core";
import { expect, inject, test } from "vitest";

import { browserForFile, signUpThroughForm, uniqueUser } from "./browser.ts";

/**
 * The landing page's solid buttons are links: the link colour must not win
 * over the button's own text colour. Measured from the computed colours, so
 * a 1:1 pair (which axe leaves as "incomplete") fails too.
 */
const baseUrl = inject("baseUrl");
const browser = browserForFile();

/** WCAG 2 contrast ratio of two opaque `rgb(r, g, b)` colours. */
function contrast(first: string, second: string): number {
  const luminance = (colour: string) => {
    const [r = 0, g = 0, b = 0] = (colour.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((channel) => {
      const c = channel / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

async function linkColours(page: Page, name: string) {
  const link = page.locator("main").getByRole("link", { name });
  return link.evaluate((element) => {
    const style = getComputedStyle(element);
    return { text: style.color, background: style.backgroundColor };
  });
}

test.for(["light", "dark"] as const)(
  "on the landing page (%s) “Create an account” signed out and “Go to your keys” signed in have text at 4.5:1 or more against their background",
  async (colorScheme) => {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    const signedOut = await linkColours(page, "Create an account");
    expect(contrast(signedOut.text, signedOut.background), `“Create an account”: ${signedOut.text} on ${signedOut.background}`).toBeGreaterThanOrEqual(4.5);

    await signUpThroughForm(page, baseUrl, uniqueUser());
    await page.goto(`${baseUrl}/`);
    const signedIn = await linkColours(page, "Go to your keys");
    expect(contrast(signedIn.text, signedIn.background), `“Go to your keys”: ${signedIn.text} on ${signedIn.background}`).toBeGreaterThanOrEqual(4.5);
  },
);
