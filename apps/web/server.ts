/**
 * apps/web's server. Next.js renders the dashboard's pages; everything else
 * (the REST API, tRPC, health checks, security headers, the client's address)
 * is the same edge listener apps/server runs, so the two apps cannot answer
 * differently. Next's own server (`next start`) is not used: it cannot see the
 * socket's address (it keeps whatever X-Forwarded-For a client sends), and
 * it answers /api/v1 oddities outside the documented envelope.
 */
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createNodeListener, pageContentSecurityPolicy, type RequestFacts, runServer, serverEnv } from "@keysmith/edge";
import next from "next";

import { CLIENT_ADDRESS_HEADER } from "./src/server/client-address-header.ts";
import { renewPageSession } from "./src/server/page-session.ts";

const development = serverEnv.development();

await runServer({
  name: "keysmith web",
  port: { variable: "KEYSMITH_WEB_PORT", fallback: 3000 },
  hostVariable: "KEYSMITH_WEB_HOST",
  metricsPortVariable: "KEYSMITH_WEB_METRICS_PORT",
  // requests under way get a moment; an open page's fast-refresh socket (development) never ends by itself
  graceMs: development ? 0 : 5_000,
  async start(server, { port, host }) {
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

    return { listener: createNodeListener({ pages }), close: () => app.close() };
  },
});
