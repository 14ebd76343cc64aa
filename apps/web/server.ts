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
import { type AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { authEnv, cookieSecurity, readSessionCookie, sessionCookie, validateSessionToken } from "@keysmith/auth";
import { dbEnv, disconnectDb, SessionKind } from "@keysmith/db";
import { DatabaseSetupError, type PreparedDatabase, prepareDatabase } from "@keysmith/db/lifecycle";
import { createNodeListener, pageContentSecurityPolicy, type RequestFacts } from "@keysmith/edge";
import next from "next";

import { CLIENT_ADDRESS_HEADER } from "./src/server/client-address-header.ts";
import { webEnv } from "./src/server/env.ts";

const development = webEnv.development();
let port: number;
try {
  port = webEnv.port();
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

const app = next({ dev: development, dir: path.dirname(fileURLToPath(import.meta.url)), turbopack: true });
const handle = app.getRequestHandler();
await app.prepare();

/**
 * A web session due to slide is extended when a page is loaded, here, where
 * the response can still carry the new cookie (a server component cannot set
 * one). Only document loads: assets and prefetches need not pay for it.
 */
async function renewSession(req: IncomingMessage, res: ServerResponse, https: boolean): Promise<void> {
  const token = readSessionCookie(req.headers.cookie);
  if (!token || req.method !== "GET" || req.headers["sec-fetch-dest"] === "script" || req.url?.startsWith("/_next/")) return;
  const check = await validateSessionToken(token, SessionKind.WEB, new Date(), { renew: true });
  if (check.ok && check.value.renewed) {
    const url = `${https ? "https" : "http"}://${req.headers.host ?? "localhost"}/`;
    res.appendHeader("set-cookie", sessionCookie(token, check.value.session.expiresAt, cookieSecurity(url, new Headers({ host: req.headers.host ?? "" }))));
  }
}

async function pages(req: IncomingMessage, res: ServerResponse, facts: RequestFacts): Promise<void> {
  // Next renders with this address; only this server can set the header, so it is overwritten, never trusted from the client
  req.headers[CLIENT_ADDRESS_HEADER] = facts.clientAddress;
  const nonce = randomBytes(16).toString("base64");
  const policy = pageContentSecurityPolicy(nonce, development);
  // Next.js reads the nonce from the request's policy and puts it on its scripts
  req.headers["content-security-policy"] = policy;
  res.setHeader("content-security-policy", policy);
  try {
    await renewSession(req, res, facts.https);
  } catch {
    // the page's own render reports a database problem; the cookie is renewed on a later load
  }
  await handle(req, res);
}

const listener = createNodeListener({ pages });
const server = createServer((req, res) => void listener(req, res));
server.on("upgrade", (req, socket, head) => void app.getUpgradeHandler()(req, socket, head));
server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === "EADDRINUSE" ? `\nkeysmith web: port ${port} is already in use: set KEYSMITH_WEB_PORT to a free port.\n` : `\nkeysmith web: ${error.message}\n`,
  );
  void database.stop().finally(() => process.exit(1));
});
server.listen(port, webEnv.host(), () => {
  const { address, port: bound } = server.address() as AddressInfo;
  console.log(`keysmith web: ${development ? "development" : "production"} server on http://${address === "0.0.0.0" ? "localhost" : address}:${bound}`);
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  server.closeIdleConnections();
  await new Promise((resolve) => server.close(resolve));
  await app.close();
  await disconnectDb();
  await database.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
