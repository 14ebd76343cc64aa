import { dbEnv } from "../env.ts";
import { embeddedEnv } from "./env.ts";
import { checkConnection } from "./check-connection.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { applyMigrations } from "./migrate.ts";

export interface PreparedDatabase {
  url: string;
  /** Where it came from, for the start-up line. */
  source: "DATABASE_URL" | "embedded";
  /** Stops the embedded server; a no-op for DATABASE_URL. */
  stop(): Promise<void>;
}

/**
 * With DATABASE_URL: check it answers and migrate it, starting nothing.
 * Without: start the embedded PostgreSQL (data kept in .data/postgres) and
 * migrate it.
 */
export async function prepareDatabase(): Promise<PreparedDatabase> {
  const configured = dbEnv.databaseUrl();
  if (configured) {
    await checkConnection(configured);
    await applyMigrations(configured);
    return { url: configured, source: "DATABASE_URL", stop: () => Promise.resolve() };
  }
  const server = await startEmbeddedPostgres({ dataDir: embeddedEnv.dataDir(), port: embeddedEnv.port() });
  try {
    await applyMigrations(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url, source: "embedded", stop: () => server.stop() };
}
