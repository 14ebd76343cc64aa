/**
 * `pnpm --filter @keysmith/web screenshots`: pictures of the main pages, at
 * desktop and phone sizes, in the light and dark schemes, taken from the
 * running production build (built first with `pnpm --filter @keysmith/web
 * build`) and written to docs/screenshots/, which the README shows. Rerun it
 * after a change to the pages, so the pictures stay true.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createSession, SESSION_COOKIE, signUp } from "@keysmith/auth";
import { dbEnv, disconnectDb, getDb, SessionKind } from "@keysmith/db";
import { chromium } from "playwright-core";

import { startApp } from "../test/app-server.ts";

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshots");

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const SCHEMES = ["light", "dark"] as const;

/** A day of made-up verifications for the shown key, so the charts have something to draw: busier by day, a few refused. */
async function seedUsage(keyId: number): Promise<void> {
  const hour = 3_600_000;
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const data = Array.from({ length: 24 }, (_, back) => {
    const minute = new Date(now - back * hour);
    const busy = Math.round(400 + 300 * Math.sin(((24 - back) / 24) * Math.PI));
    return [
      { keyId, minute, outcome: "VALID", count: BigInt(busy) },
      { keyId, minute, outcome: "RATE_LIMITED", count: BigInt(back % 5 === 0 ? 40 : 4) },
      { keyId, minute, outcome: "INSUFFICIENT_SCOPE", count: BigInt(back % 7 === 0 ? 12 : 0) },
    ].filter((row) => row.count > 0n);
  }).flat();
  await getDb().keyUsageMinute.createMany({ data });
}

async function main() {
  const app = await startApp();
  dbEnv.useDatabaseUrl(app.databaseUrl);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const password = "a long password";
    const user = await signUp({ username: "ada", email: "ada@example.test", name: "Ada Lovelace", password });
    const login = await fetch(`${app.baseUrl}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "ada", password }) });
    const token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
    const api = (method: string, route: string, body?: object) =>
      fetch(`${app.baseUrl}/api/v1${route}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(
        async (response) => ((await response.json()) as { data: { id: number } }).data,
      );
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    await api("POST", "/api-keys", { name: "legacy importer", description: "Retired with the old pipeline" }).then((key) => api("POST", `/api-keys/${key.id}/revoke`));
    await api("POST", "/api-keys", { name: "staging", scopes: ["keys:verify"], expires_at: inDays(3) });
    await api("POST", "/api-keys", { name: "billing worker", scopes: ["keys:read", "keys:verify"], rate_limit_per_minute: 600 }).then((key) =>
      api("POST", `/api-keys/${key.id}/roll`, { grace_seconds: 86_400 }),
    );
    const shown = await api("POST", "/api-keys", { name: "production server", description: "Verifies keys for the public API", expires_at: inDays(90) });
    await seedUsage(shown.id);

    const { token: session } = await createSession(user.id, SessionKind.WEB, new Date());
    const pages = { landing: "/", keys: "/keys", "key-page": `/keys/${shown.id}` };
    await mkdir(outDir, { recursive: true });
    for (const [sizeName, viewport] of Object.entries(SIZES)) {
      for (const colorScheme of SCHEMES) {
        const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
        await context.addCookies([{ name: SESSION_COOKIE, value: session, domain: "127.0.0.1", path: "/" }]);
        const page = await context.newPage();
        for (const [name, route] of Object.entries(pages)) {
          await page.goto(`${app.baseUrl}${route}`, { waitUntil: "networkidle" });
          const file = path.join(outDir, `${name}-${sizeName}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: sizeName === "phone" });
          console.log(`wrote ${path.relative(process.cwd(), file)}`);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await disconnectDb();
    await app.stop();
  }
}

await main();
