/**
 * apps/web's server. Next.js renders the dashboard's pages; everything else
 * (the REST API, tRPC, health checks, security headers, the client's address)
 * is the same edge listener apps/server runs, so the two apps cannot answer
 * differently. Next's own server (`next start`) is not used: it cannot see the
 * socket's address (it keeps whatever X-Forwarded-For a client sends), and
 * it answers /api/v1 oddities outside the documented envelope.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { authEnv } from "@keysmith/auth";
import { dbEnv, disconnectDb } from "@keysmith/db";
import { DatabaseSetupError, describePreparedDatabase, type PreparedDatabase, prepareDatabase } from "@keysmith/db/lifecycle";
import { createNodeListener, pageContentSecurityPolicy, type RequestFacts } from "@keysmith/edge";
import next from "next";

import { CLIENT_ADDRESS_HEADER } from "./src/server/client-address-header.ts";
import { webEnv } from "./src/server/env.ts";
import { renewPageSession } from "./src/server/page-session.ts";

const development = webEnv.development();
let port: number;
let host: string;
try {
  port = webEnv.port();
  host = webEnv.host();
  authEnv.trustedProxies();
} catch (error) {
  console.error(`\nkeysmith web: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

let database: PreparedDatabase;
try {
  database = await prepareDatabase();
} catch (error) {
  console.error(error instanceof DatabaseSetupError ? `\nkeysmith web: ${error.message}\n` : error);
  process.exit(1);
}
dbEnv.useDatabaseUrl(database.url);

const server = createServer((req, res) => void listener(req, res));
// every socket, upgraded ones included (server.closeAllConnections does not reach those), so shutdown can end them
const sockets = new Set<Socket>();
server.on("connection", (socket) => {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
});

const app = next({
  dev: development,
  dir: path.dirname(fileURLToPath(import.meta.url)),
  turbopack: true,
  // Next.js answers WebSocket upgrades (fast refresh in development) on this server itself, from its first page request
  httpServer: server,
  // in development Next.js refuses its own resources to pages from hosts it does not know; the one bound is one it should
  ...(host === "0.0.0.0" || host === "::" ? {} : { hostname: host }),
  port,
});
const handle = app.getRequestHandler();
await app.prepare();

async function pages(req: IncomingMessage, res: ServerResponse, facts: RequestFacts): Promise<void> {
  // Next renders with this address; only this server can set the header, so it is overwritten, never trusted from the client
  req.headers[CLIENT_ADDRESS_HEADER] = facts.clientAddress;
  const policy = pageContentSecurityPolicy(randomBytes(16).toString("base64"), development);
  // Next.js reads the nonce from the request's policy and puts it on its scripts
  req.headers["content-security-policy"] = policy;
  res.setHeader("content-security-policy", policy);
  try {
    await renewPageSession(req, res, facts.origin);
  } catch {
    // the page's own render reports a database problem; the cookie is renewed on a later load
  }
  await handle(req, res);
}

const listener = createNodeListener({ pages });
server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === "EADDRINUSE" ? `\nkeysmith web: port ${port} is already in use: set KEYSMITH_WEB_PORT to a free port.\n` : `\nkeysmith web: ${error.message}\n`,
  );
  void database.stop().finally(() => process.exit(1));
});
server.listen(port, host, () => {
  const { address, port: bound } = server.address() as AddressInfo;
  const url = `http://${address === "0.0.0.0" ? "localhost" : address}:${bound}`;
  console.log(`keysmith web: ${development ? "development" : "production"} server on ${url}, on ${describePreparedDatabase(database)}`);
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  // requests under way get a moment; an open page's fast-refresh socket (development) never ends by itself
  const force = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, development ? 0 : 5_000);
  await closed;
  clearTimeout(force);
  await app.close();
  await disconnectDb();
  await database.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
