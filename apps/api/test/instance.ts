import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "@keysmith/db/lifecycle";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface Instance {
  url: string;
  stop(): Promise<void>;
}

/** Starts apps/api as its own process, the way `pnpm start` does, on a free port. */
export async function startInstance(databaseUrl: string): Promise<Instance> {
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [path.join(appDir, "node_modules/tsx/dist/cli.mjs"), "src/main.ts"], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), KEYSMITH_API_HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`apps/api exited early:\n${output.join("")}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`apps/api did not start:\n${output.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
