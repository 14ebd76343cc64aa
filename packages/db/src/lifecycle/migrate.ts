import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { DatabaseSetupError } from "./setup-error.ts";

const require = createRequire(import.meta.url);
const prismaCli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
const configFile = fileURLToPath(new URL("../../../../prisma/prisma.config.ts", import.meta.url));

/**
 * Applies pending migrations with `prisma migrate deploy`, the same command a
 * person would run, so start-up and the CLI can never disagree.
 */
export async function applyMigrations(url: string): Promise<void> {
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, "migrate", "deploy", "--config", configFile], {
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    const log = Buffer.concat(output).toString("utf8").trim();
    throw new DatabaseSetupError(`Applying database migrations failed; prisma migrate deploy said:\n${log}`);
  }
}
