/**
 * The dashboard's key list with 10,000 keys: how long until a person sees the
 * first page, in Debian's Chromium (the same browser the tests drive). The
 * page is rendered on the server with its first page of keys, so "seen" is
 * the load of the document that already holds them.
 */
import { createSession, SESSION_COOKIE, type SessionUser, signUp } from "@keysmith/auth";
import { type getPool, SessionKind } from "@keysmith/db";
import { chromium } from "playwright-core";

import { type Server } from "./processes.ts";
import { insertRealKeys } from "./seed.ts";
import { summarize, type Figures } from "./stats.ts";

export const DASHBOARD_KEYS = 10_000;

type Pool = ReturnType<typeof getPool>;

export async function dashboardFirstPage(pool: Pool, web: Server, loads: number): Promise<{ html: Figures; browser: Figures }> {
  const user: SessionUser = await signUp({ username: "dashboard", email: "dashboard@example.test", name: "Dashboard", password: "bench password" });
  await insertRealKeys(pool, user.id, DASHBOARD_KEYS);
  const { token } = await createSession(user.id, SessionKind.WEB, new Date());
  const cookie = `${SESSION_COOKIE}=${token}`;

  // one untimed load each first: the first render after start-up loads the page's modules
  await fetch(`${web.url}/keys`, { headers: { cookie } }).then((response) => response.text());

  // the server's answer alone: the HTML of /keys with its first page in it
  const htmlSamples: number[] = [];
  const htmlStart = process.hrtime.bigint();
  for (let i = 0; i < loads; i += 1) {
    const start = process.hrtime.bigint();
    const response = await fetch(`${web.url}/keys`, { headers: { cookie } });
    const html = await response.text();
    if (!html.includes("bench 9999")) throw new Error(`/keys did not render the newest key (status ${response.status})`);
    htmlSamples.push(Number(process.hrtime.bigint() - start));
  }
  const html = summarize(htmlSamples, Number(process.hrtime.bigint() - htmlStart));

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const context = await browser.newContext();
    const { hostname } = new URL(web.url);
    await context.addCookies([{ name: SESSION_COOKIE, value: token, domain: hostname, path: "/" }]);
    const page = await context.newPage();
    await page.goto(`${web.url}/keys`, { waitUntil: "load" });
    const samples: number[] = [];
    const browserStart = process.hrtime.bigint();
    for (let i = 0; i < loads; i += 1) {
      const start = process.hrtime.bigint();
      // "load": the document, its scripts and styles; hydration follows, on a page already showing the keys
      await page.goto(`${web.url}/keys`, { waitUntil: "load" });
      await page.getByText("bench 9999", { exact: true }).first().waitFor();
      samples.push(Number(process.hrtime.bigint() - start));
    }
    return { html, browser: summarize(samples, Number(process.hrtime.bigint() - browserStart)) };
  } finally {
    await browser.close();
  }
}
