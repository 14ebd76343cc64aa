/**
 * Starts what a person would use: a real PostgreSQL (embedded, in a temporary
 * folder) with migrations applied, and the production build of the app
 * (`next start`; turbo builds it before this task). Tests drive it with
 * Debian's Chromium.
 */
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { applyMigrations, freePort, startEmbeddedPostgres } from "@keysmith/db/lifecycle";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function waitForHttp(url: string, deadline: number, exited: () => string | undefined) {
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The app did not answer at ${url} in time.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export default async function setup(project: TestProject) {
  const folder = await mkdtemp(path.join(os.tmpdir(), "keysmith-web-test-"));
  await chmod(folder, 0o755);
  const database = await startEmbeddedPostgres({ dataDir: path.join(folder, "data"), port: await freePort(), quiet: true });
  await applyMigrations(database.url);

  const port = await freePort();
  const output: string[] = [];
  const app = spawn(process.execPath, [path.join(appDir, "node_modules/next/dist/bin/next"), "start", "--port", String(port)], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  app.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/api/trpc/health.check`, Date.now() + 60_000, () =>
      app.exitCode === null ? undefined : `next start exited (${app.exitCode}); did the build run?\n${output.join("")}`,
    );
  } catch (error) {
    app.kill("SIGTERM");
    await database.stop();
    throw error;
  }
  project.provide("baseUrl", baseUrl);

  return async () => {
    app.kill("SIGTERM");
    await new Promise((resolve) => app.once("exit", resolve));
    await database.stop();
    await rm(folder, { recursive: true, force: true });
  };
}
