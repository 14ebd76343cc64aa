import { describeUrl } from "../connection-config.ts";
import { dbEnv } from "../env.ts";
import { embeddedEnv } from "./env.ts";
import { checkConnection } from "./check-connection.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { applyMigrations } from "./migrate.ts";
import { DatabaseSetupError } from "./setup-error.ts";

/** Where the database came from (for the start-up line), its URL, and how to stop it (a no-op for DATABASE_URL). */
export type PreparedDatabase = { url: string; stop(): Promise<void> } & ({ source: "DATABASE_URL" } | { source: "embedded"; dataDir: string });

/**
 * With DATABASE_URL: check it answers and migrate it, starting nothing.
 * Without: start the embedded PostgreSQL (data kept in .data/postgres) and
 * migrate it.
 */
export async function prepareDatabase(): Promise<PreparedDatabase> {
  try {
    dbEnv.check();
  } catch (error) {
    throw new DatabaseSetupError(error instanceof Error ? error.message : String(error));
  }
  const configured = dbEnv.databaseUrl();
  if (configured) {
    await checkConnection(configured);
    await applyMigrations(configured);
    return { url: configured, source: "DATABASE_URL", stop: () => Promise.resolve() };
  }
  const dataDir = embeddedEnv.dataDir();
  const server = await startEmbeddedPostgres({ dataDir, port: embeddedEnv.port() });
  try {
    await applyMigrations(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url, source: "embedded", dataDir, stop: () => server.stop() };
}

/** The start-up line's account of the database: where it is and, when embedded, the folder its data is in. */
export function describePreparedDatabase(database: PreparedDatabase): string {
  return database.source === "embedded"
    ? `embedded PostgreSQL at ${describeUrl(database.url)} (data in ${database.dataDir}), migrations applied`
    : `DATABASE_URL (${describeUrl(database.url)}), migrations applied`;
}
