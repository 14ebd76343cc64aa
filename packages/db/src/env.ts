import { fileURLToPath } from "node:url";

/**
 * The database settings, read in one place. Read on each call, not at import:
 * the test harness and the dev wrapper set DATABASE_URL after modules load.
 */
export const dbEnv = {
  /** Empty or unset: use the embedded PostgreSQL. */
  databaseUrl(): string | undefined {
    const value = process.env.DATABASE_URL?.trim();
    return value ? value : undefined;
  },
  embeddedPort(): number {
    const raw = process.env.KEYSMITH_PG_PORT?.trim();
    if (!raw) return 54329;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`KEYSMITH_PG_PORT must be a port number from 1 to 65535, not "${raw}".`);
    }
    return port;
  },
  embeddedDataDir(): string {
    return process.env.KEYSMITH_PG_DATA_DIR?.trim() || fileURLToPath(new URL("../../../.data/postgres", import.meta.url));
  },
};
