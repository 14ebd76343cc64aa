/**
 * `tsx packages/db/src/cli/with-database.ts <command…>`: what `pnpm dev`,
 * `pnpm start` and `pnpm db:migrate` run. Prepares the database (embedded
 * PostgreSQL unless DATABASE_URL is set, migrations applied), runs the
 * command with DATABASE_URL pointing at it, and on Ctrl-C / SIGTERM stops the
 * command first and the database after it, keeping the data.
 */
import { spawn } from "node:child_process";

import { DatabaseSetupError, describePreparedDatabase, prepareDatabase, type PreparedDatabase } from "../lifecycle/index.ts";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: with-database <command> [args…]");
  process.exit(2);
}

function fail(error: unknown): never {
  if (error instanceof DatabaseSetupError) {
    console.error(`\nkeysmith: ${error.message}\n`);
  } else {
    console.error("\nkeysmith: the database could not be prepared:", error);
  }
  process.exit(1);
}

let database: PreparedDatabase;
try {
  database = await prepareDatabase();
} catch (error) {
  fail(error);
}
console.log(`keysmith: ${describePreparedDatabase(database)}`);

const child = spawn(command, args, {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: database.url },
});

let stopping = false;
function forward(signal: NodeJS.Signals) {
  // A terminal's Ctrl-C reaches the whole process group at once; a SIGTERM
  // from a supervisor reaches only us, so pass it on either way.
  stopping = true;
  if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
process.on("SIGHUP", forward);

async function stopDatabaseAndExit(code: number) {
  try {
    await database.stop();
  } catch (error) {
    console.error("keysmith: PostgreSQL did not stop cleanly:", error);
  }
  process.exit(code);
}

child.on("error", (error) => {
  console.error(`keysmith: could not run ${command}: ${error.message}`);
  void stopDatabaseAndExit(127);
});

child.on("exit", (code, signal) => {
  void stopDatabaseAndExit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
});
