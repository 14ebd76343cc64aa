import { dbEnv, disconnectDb, getDb } from "@keysmith/db";
import { type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";

import { browserForFile, expectNoHorizontalScroll, uniqueUser } from "./browser.ts";
import { envelope, request, signUpOverHttp } from "./http.ts";

/**
 * The usage charts (uPlot on a canvas) and sparklines, fed by minute counts
 * written straight to the database as the usage flush would: the key list's
 * overview and each row's sparkline, a key page's chart and recent events,
 * and the empty state of a key nobody has used.
 */
const baseUrl = inject("baseUrl");
dbEnv.useDatabaseUrl(inject("databaseUrl"));
afterAll(() => disconnectDb());
const browser = browserForFile();

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let token = "";
let used = 0;
let unused = 0;

beforeAll(async () => {
  token = await signUpOverHttp(baseUrl, uniqueUser());
  // made over REST with the session, as the dashboard would, so each has its key.created event
  const create = async (name: string) => {
    const answer = await request(baseUrl, {
      method: "POST",
      path: "/api/v1/api-keys",
      headers: { "content-type": "application/json", cookie: `keysmith_session=${token}` },
      body: JSON.stringify({ name }),
    });
    expect(answer.status).toBe(201);
    return (envelope(answer).data as { id: number }).id;
  };
  used = await create("alpha");
  unused = await create("beta");
  const minute = (ago: number) => new Date(Math.floor((Date.now() - ago) / MINUTE) * MINUTE);
  await getDb().keyUsageMinute.createMany({
    data: [
      { keyId: used, minute: minute(2 * HOUR), outcome: "VALID", count: 30n },
      { keyId: used, minute: minute(2 * HOUR), outcome: "RATE_LIMITED", count: 5n },
      { keyId: used, minute: minute(5 * HOUR), outcome: "VALID", count: 10n },
      // only in 7 and 30 days
      { keyId: used, minute: minute(3 * DAY), outcome: "VALID", count: 100n },
      { keyId: used, minute: minute(3 * DAY), outcome: "INSUFFICIENT_SCOPE", count: 7n },
    ],
  });
});

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  await context.addCookies([{ name: "keysmith_session", value: token, url: baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  return page;
}

/** How many of the chart canvas's pixels are exactly the colour the page's custom property `property` holds now. */
function pixelsOf(card: Locator, property: string): Promise<number> {
  return card.evaluate((element, name) => {
    const hex = getComputedStyle(element).getPropertyValue(name).trim();
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
    const canvas = element.querySelector("canvas");
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let at = 0; at < data.length; at += 4) if (data[at] === r && data[at + 1] === g && data[at + 2] === b && data[at + 3] === 255) count += 1;
    return count;
  }, property);
}

const chartLabel = (card: Locator) => card.locator(".usage-plot").getAttribute("aria-label");
const sparkline = (page: Page, id: number) => page.getByTestId(`key-row-${id}`).getByRole("img");

test("/keys: the overview's canvas is drawn in the outcomes' colours, its label and legend give the totals by outcome, each sparkline's label its key's total; 7 days, the table of points, the dark scheme and a 390 px window redraw it", async () => {
  const page = await open("/keys");
  const card = page.locator("section.usage-card");
  await expect.poll(() => chartLabel(card)).toBe("Bar chart. 45 verifications in the last 24 hours. Valid: 40; Rate limited: 5.");
  await expect(card.locator(".usage-legend li").allTextContents()).resolves.toEqual(["Valid 40", "Rate limited 5"]);
  await expect.poll(() => pixelsOf(card, "--outcome-valid")).toBeGreaterThan(0);
  await expect(pixelsOf(card, "--outcome-rate-limited")).resolves.toBeGreaterThan(0);
  await expect.poll(() => sparkline(page, used).getAttribute("aria-label")).toBe("45 verifications in the last 24 hours");
  await expect(sparkline(page, unused).getAttribute("aria-label")).resolves.toBe("No verifications in the last 24 hours");

  await card.getByRole("button", { name: "7 days" }).click();
  await expect(card.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed")).resolves.toBe("true");
  await expect.poll(() => chartLabel(card)).toBe("Bar chart. 152 verifications in the last 7 days. Valid: 140; Rate limited: 5; Missing scope: 7.");
  await expect.poll(() => sparkline(page, used).getAttribute("aria-label")).toBe("152 verifications in the last 7 days");
  await card.getByText("Show the numbers").click();
  // one row per hour with verifications, oldest first; the last cell is the hour's total
  await expect.poll(() => card.locator(".usage-table tbody tr td:last-child").allTextContents()).toEqual(["107", "10", "35"]);
  await expect(card.locator(".usage-table thead th").allTextContents()).resolves.toEqual(["Hour starting", "Valid", "Rate limited", "Missing scope", "Total"]);

  // the canvas cannot restyle itself: the scheme's change redraws it in the dark colours
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(() => card.evaluate((element) => getComputedStyle(element).getPropertyValue("--outcome-valid").trim())).toBe("#5fd39a");
  await expect.poll(() => pixelsOf(card, "--outcome-valid")).toBeGreaterThan(0);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => card.locator("canvas").evaluate((canvas) => Math.round(canvas.getBoundingClientRect().right))).toBeLessThanOrEqual(390 - 16);
  await expectNoHorizontalScroll(page, "/keys with the chart's table open at 390 px");
  await expect.poll(() => pixelsOf(card, "--outcome-valid")).toBeGreaterThan(0);
});

test("/keys/<id>: the key's chart gives its totals by outcome, 30 days included; its recent events are in the server's HTML and link to its Activity; a key without verifications says so instead of drawing a chart", async () => {
  const html = (await request(baseUrl, { method: "GET", path: `/keys/${used}`, headers: { cookie: `keysmith_session=${token}` } })).body;
  expect(html).toContain("Created key “alpha”");

  const page = await open(`/keys/${used}`);
  const card = page.locator("section.usage-card");
  await expect.poll(() => chartLabel(card)).toBe("Bar chart. 45 verifications in the last 24 hours. Valid: 40; Rate limited: 5.");
  await expect.poll(() => pixelsOf(card, "--outcome-valid")).toBeGreaterThan(0);
  await card.getByRole("button", { name: "30 days" }).click();
  await expect.poll(() => chartLabel(card)).toBe("Bar chart. 152 verifications in the last 30 days. Valid: 140; Rate limited: 5; Missing scope: 7.");

  const events = page.locator("section", { has: page.getByRole("heading", { name: "Recent events" }) });
  await expect(events.locator(".audit-what").allTextContents()).resolves.toEqual(["Created key “alpha”"]);
  await expect(events.getByRole("link", { name: "All of this key’s activity" }).getAttribute("href")).resolves.toBe(`/activity?key_id=${used}`);

  await page.goto(`${baseUrl}/keys/${unused}`);
  await page.locator("section.usage-card").getByText("No verifications in the last 24 hours.").waitFor();
  await expect(page.locator("section.usage-card canvas").count()).resolves.toBe(0);
});

test("/keys/<id> at 390 px, 7 days: the numbers' table is wider than its scrolling region, and its caption is no wider than its own box and lies inside the region's visible box, the region scrolled to its start and to its end", async () => {
  const page = await open(`/keys/${used}`, { width: 390, height: 844 });
  const card = page.locator("section.usage-card");
  await card.getByRole("button", { name: "7 days" }).click();
  await expect.poll(() => chartLabel(card)).toContain("in the last 7 days");
  await card.getByText("Show the numbers").click();
  const region = card.getByRole("region", { name: "Verifications as a table" });
  await region.locator("caption").waitFor();

  for (const end of ["start", "end"] as const) {
    const sizes = await region.evaluate(async (element, scrolledTo) => {
      element.scrollLeft = scrolledTo === "start" ? 0 : element.scrollWidth;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const caption = element.querySelector("caption");
      const table = element.querySelector("table");
      if (!caption || !table) throw new Error("no table or caption in the region");
      const box = element.getBoundingClientRect();
      // the part of the region that shows, inside its border and without its scrollbar
      const left = box.left + element.clientLeft;
      const visible = { left: Math.round(left), right: Math.round(left + element.clientWidth) };
      const text = caption.getBoundingClientRect();
      return {
        tableWidth: table.scrollWidth,
        regionWidth: element.clientWidth,
        caption: { scrollWidth: caption.scrollWidth, clientWidth: caption.clientWidth, left: Math.round(text.left), right: Math.round(text.right) },
        visible,
      };
    }, end);
    // the case this is about: a table that needs its own scrolling
    expect(sizes.tableWidth, "the table's width against its region's").toBeGreaterThan(sizes.regionWidth);
    expect(sizes.caption.scrollWidth, `the caption's text against its box (scrolled to its ${end})`).toBeLessThanOrEqual(sizes.caption.clientWidth);
    expect(sizes.caption.left, `the caption's left edge against the region's visible box (scrolled to its ${end})`).toBeGreaterThanOrEqual(sizes.visible.left);
    expect(sizes.caption.right, `the caption's right edge against the region's visible box (scrolled to its ${end})`).toBeLessThanOrEqual(sizes.visible.right);
  }
});
