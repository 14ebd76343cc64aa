export { checkConnection } from "./check-connection.ts";
export { freePort, startEmbeddedPostgres, type EmbeddedServer } from "./embedded-postgres.ts";
export { applyMigrations } from "./migrate.ts";
export { scratchFolder, startScratchPostgres, type ScratchPostgres } from "./scratch-postgres.ts";
export { describePreparedDatabase, prepareDatabase, type PreparedDatabase } from "./prepare-database.ts";
export { DatabaseSetupError } from "./setup-error.ts";
