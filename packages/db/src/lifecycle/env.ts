import path from "node:path";
import { fileURLToPath } from "node:url";

import { DatabaseSetupError } from "./setup-error.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Settings of the embedded PostgreSQL, used only when DATABASE_URL is unset. */
export const embeddedEnv = {
  port(): number {
    const raw = process.env.KEYSMITH_PG_PORT?.trim();
    if (!raw) return 54329;
    const port = Number(raw);
    // PostgreSQL runs unprivileged, so it cannot bind ports below 1024
    if (!Number.isInteger(port) || port < 1024 || port > 65535) {
      throw new DatabaseSetupError(`KEYSMITH_PG_PORT must be a port number from 1024 to 65535, not "${raw}".`);
    }
    return port;
  },
  dataDir(): string {
    return path.resolve(process.env.KEYSMITH_PG_DATA_DIR?.trim() || path.join(repoRoot, ".data/postgres"));
  },
};
