import { fileURLToPath } from "node:url";

/**
 * The `test` settings every package with database tests uses:
 * `defineConfig({ test: { ...databaseTests } })`.
 */
export const databaseTests = {
  globalSetup: [fileURLToPath(new URL("./global-setup.ts", import.meta.url))],
  setupFiles: [fileURLToPath(new URL("./setup-file.ts", import.meta.url))],
  // Real PostgreSQL round trips and argon2 hashing: generous but finite.
  testTimeout: 20_000,
  hookTimeout: 60_000,
};
