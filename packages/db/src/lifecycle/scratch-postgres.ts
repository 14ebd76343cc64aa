import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { type EmbeddedServer, freePort, startEmbeddedPostgres } from "./embedded-postgres.ts";
import { applyMigrations } from "./migrate.ts";

/**
 * A fresh folder under the system's temporary directory, named `prefix…`,
 * that PostgreSQL can reach: as root, the embedded server runs as the
 * "postgres" user, which must pass through it.
 */
export async function scratchFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(folder, 0o755);
  return folder;
}

export interface ScratchPostgres extends EmbeddedServer {
  /** The folder of its own: the data directory, and whatever else the caller keeps there. */
  folder: string;
  dataDir: string;
  /** Stops the server (if it still runs) and removes the folder. */
  remove(): Promise<void>;
}

/**
 * An embedded PostgreSQL of the caller's own (a benchmark, a test harness),
 * in a scratch folder, on a free port, with Keysmith's migrations applied to
 * its default database unless `migrate` is false. A failed start removes
 * what it made.
 */
export async function startScratchPostgres(prefix: string, { migrate = true }: { migrate?: boolean } = {}): Promise<ScratchPostgres> {
  const folder = await scratchFolder(prefix);
  const dataDir = path.join(folder, "data");
  let server: EmbeddedServer | undefined;
  try {
    server = await startEmbeddedPostgres({ dataDir, port: await freePort(), quiet: true });
    if (migrate) await applyMigrations(server.url);
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const started = server;
  return {
    url: started.url,
    stop: () => started.stop(),
    folder,
    dataDir,
    async remove() {
      // a test may have stopped or killed it already
      await started.stop().catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
