/**
 * The lean server for machine traffic (REST and tRPC callers): bare Node
 * http and the shared edge listener, no Next.js. Uses DATABASE_URL, or starts
 * the embedded PostgreSQL like the web app when it is unset.
 */
import { createServer } from "node:http";
import { type AddressInfo } from "node:net";

import { authEnv } from "@keysmith/auth";
import { dbEnv, disconnectDb } from "@keysmith/db";
import { DatabaseSetupError, describePreparedDatabase, type PreparedDatabase, prepareDatabase } from "@keysmith/db/lifecycle";
import { createNodeListener } from "@keysmith/edge";

import { serverEnv } from "./env.ts";

let port: number;
try {
  // every setting is read once here, so a wrong one stops start-up with its message
  port = serverEnv.port();
  authEnv.trustedProxies();
} catch (error) {
  console.error(`\nkeysmith server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

let database: PreparedDatabase;
try {
  database = await prepareDatabase();
} catch (error) {
  console.error(error instanceof DatabaseSetupError ? `\nkeysmith server: ${error.message}\n` : error);
  process.exit(1);
}
dbEnv.useDatabaseUrl(database.url);

const listener = createNodeListener();
const server = createServer((req, res) => void listener(req, res));
server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === "EADDRINUSE"
      ? `\nkeysmith server: port ${port} is already in use: set KEYSMITH_API_PORT to a free port.\n`
      : `\nkeysmith server: ${error.message}\n`,
  );
  void database.stop().finally(() => process.exit(1));
});
server.listen(port, serverEnv.host(), () => {
  const { address, port: bound } = server.address() as AddressInfo;
  console.log(`keysmith server: listening on http://${address === "0.0.0.0" ? "localhost" : address}:${bound}, on ${describePreparedDatabase(database)}`);
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  // stop taking requests, write pending last-used times, then stop the database
  server.closeIdleConnections();
  await new Promise((resolve) => server.close(resolve));
  await disconnectDb();
  await database.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
