/**
 * The lean server for machine traffic (REST and tRPC callers): bare Node
 * http through @hono/node-server, no Next.js. Uses DATABASE_URL, or starts the
 * embedded PostgreSQL like the web app when it is unset.
 */
import { type AddressInfo } from "node:net";

import { type HttpBindings, serve } from "@hono/node-server";
import { dbEnv, disconnectDb } from "@keysmith/db";
import { DatabaseSetupError, type PreparedDatabase, prepareDatabase } from "@keysmith/db/lifecycle";

import { createApp } from "./app.ts";
import { serverEnv } from "./env.ts";

let database: PreparedDatabase;
try {
  database = await prepareDatabase();
} catch (error) {
  console.error(error instanceof DatabaseSetupError ? `\nkeysmith api: ${error.message}\n` : error);
  process.exit(1);
}
dbEnv.useDatabaseUrl(database.url);

const app = createApp();
const server = serve({ fetch: (request, env) => app(request, env as Partial<HttpBindings>), port: serverEnv.port(), hostname: serverEnv.host() }, (info: AddressInfo) => {
  console.log(`keysmith api: listening on http://${info.address === "0.0.0.0" ? "localhost" : info.address}:${info.port}`);
});
server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === "EADDRINUSE"
      ? `\nkeysmith api: port ${serverEnv.port()} is already in use: set PORT to a free port.\n`
      : `\nkeysmith api: ${error.message}\n`,
  );
  void database.stop().finally(() => process.exit(1));
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  // stop taking requests, write pending last-used times, then stop the database
  await new Promise((resolve) => server.close(resolve));
  await disconnectDb();
  await database.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
