/**
 * What a person would use: a real PostgreSQL (embedded, in a temporary
 * folder) with migrations applied, and the production build of the app served
 * by its own server, as `pnpm start` does (`tsx server.ts`; the build must
 * exist). The browser tests and the screenshot script both start it.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { freePort, startScratchPostgres } from "@keysmith/db/lifecycle";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsxCli = path.join(appDir, "node_modules/tsx/dist/cli.mjs");

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

export interface RunningApp {
  baseUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startApp(): Promise<RunningApp> {
  const database = await startScratchPostgres("keysmith-web-test-");

  const port = await freePort();
  const output: string[] = [];
  const app = spawn(process.execPath, [tsxCli, "server.ts"], {
    cwd: appDir,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      NODE_ENV: "production",
      KEYSMITH_WEB_PORT: String(port),
      KEYSMITH_WEB_HOST: "127.0.0.1",
      // the tests decide who is a proxy: nobody, so X-Forwarded-* from a client must change nothing
      KEYSMITH_TRUSTED_PROXIES: "",
      // batched writes (usage counts, last used, session renewals) land within 0.2 s, so tests wait little for them
      KEYSMITH_USAGE_FLUSH_MS: "200",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  app.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));

  const stop = async () => {
    if (app.exitCode === null) {
      const exited = new Promise((resolve) => app.once("exit", resolve));
      app.kill("SIGTERM");
      await exited;
    }
    await database.remove();
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/readyz`, Date.now() + 60_000, () =>
      app.exitCode === null ? undefined : `tsx server.ts exited (${app.exitCode}); did the build run?\n${output.join("")}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, databaseUrl: database.url, stop };
}
