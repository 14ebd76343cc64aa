import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { type EmbeddedServer, freePort, startEmbeddedPostgres } from "../lifecycle/index.ts";

/**
 * A PostgreSQL of the test's own, to stall, shut down and stop without
 * disturbing the server every other test file shares.
 */
export async function privateServer(): Promise<EmbeddedServer & { dataDir: string; signal(name: "STOP" | "CONT" | "TERM"): void; remove(): Promise<void> }> {
  const folder = await mkdtemp(path.join(os.tmpdir(), "keysmith-faults-"));
  await chmod(folder, 0o755); // PostgreSQL runs as another user when we are root
  const dataDir = path.join(folder, "data");
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), quiet: true });
  return {
    ...server,
    dataDir,
    /** Signals the postmaster; STOP and CONT reach its backends too (the whole server stalls and resumes). */
    signal(name) {
      const pid = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "";
      const children = name === "TERM" ? [] : execFileSync("pgrep", ["-P", pid], { encoding: "utf8" }).split("\n").filter(Boolean);
      execFileSync("kill", [`-${name}`, pid, ...children]);
    },
    async remove() {
      await server.stop().catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
