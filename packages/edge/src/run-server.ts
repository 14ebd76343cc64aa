import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";

import { authEnv } from "@keysmith/auth";
import { dbEnv, disconnectDb } from "@keysmith/db";
import { DatabaseSetupError, describePreparedDatabase, prepareDatabase } from "@keysmith/db/lifecycle";

import { type HostVariable, type MetricsPortVariable, type PortVariable, serverEnv } from "./env.ts";
import { processLog } from "./log.ts";
import { createMetricsServer } from "./metrics-server.ts";

export interface ServerApp {
  /** The request listener, made once the database is ready (Next.js also needs the server itself). */
  listener: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** Closes what the app opened, after requests stop and before the database does. */
  close?: () => Promise<void>;
}

export interface RunServerOptions {
  /** For messages: "keysmith server", "keysmith web". */
  name: string;
  port: { variable: PortVariable; fallback: number };
  hostVariable: HostVariable;
  /** Its own /metrics port's variable; KEYSMITH_METRICS_PORT serves an app started alone. */
  metricsPortVariable: MetricsPortVariable;
  /** How long requests under way get at shutdown before their sockets are cut (open websockets never end by themselves). */
  graceMs: number;
  start(server: Server, where: { port: number; host: string }): Promise<ServerApp>;
}

/**
 * What both apps' servers do around their listener, in one place: read every
 * setting first (a wrong one stops start-up with its sentence), prepare the
 * database (embedded unless DATABASE_URL is set, migrations applied), listen
 * (and serve /metrics on a listener of its own when KEYSMITH_METRICS_PORT is
 * set), and on SIGINT or SIGTERM stop taking requests, close the app, write
 * what the database still owes (last-used times) and stop the database, in
 * that order.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  const fail = (message: string): never => {
    console.error(`\n${options.name}: ${message}\n`);
    process.exit(1);
  };
  let port = 0;
  let host = "";
  let metricsPort: number | undefined;
  let metricsHost = "";
  try {
    port = serverEnv.port(options.port.variable, options.port.fallback);
    host = serverEnv.host(options.hostVariable);
    metricsPort = serverEnv.metricsPort(options.metricsPortVariable);
    metricsHost = serverEnv.metricsHost();
    serverEnv.logLevel();
    authEnv.check();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const metricsVariables = `${options.metricsPortVariable} (or KEYSMITH_METRICS_PORT)`;
  if (metricsPort === port) {
    fail(`The /metrics port, ${metricsVariables}, is ${port}, the port this app serves requests on (${options.port.variable} or PORT); give /metrics a port of its own.`);
  }
  const log = processLog();
  const database = await prepareDatabase().catch((error: unknown) => {
    if (error instanceof DatabaseSetupError) return fail(error.message);
    throw error;
  });
  dbEnv.useDatabaseUrl(database.url);

  // every socket, upgraded ones included (closeAllConnections does not reach those), so shutdown can end them
  const sockets = new Set<Socket>();
  const server = createServer();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const app = await options.start(server, { port, host });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => void app.listener(req, res));

  server.on("error", (error: NodeJS.ErrnoException) => {
    console.error(
      error.code === "EADDRINUSE" ? `\n${options.name}: port ${port} is already in use: set ${options.port.variable} to a free port.\n` : `\n${options.name}: ${error.message}\n`,
    );
    void database.stop().finally(() => process.exit(1));
  });
  server.listen(port, host, () => {
    const { address, port: bound } = server.address() as AddressInfo;
    log.info(`${options.name}: listening on http://${address === "0.0.0.0" ? "localhost" : address}:${bound}, on ${describePreparedDatabase(database)}`);
  });

  const metrics = metricsPort === undefined ? undefined : createMetricsServer();
  if (metrics) {
    metrics.on("error", (error: NodeJS.ErrnoException) => {
      console.error(
        error.code === "EADDRINUSE"
          ? `\n${options.name}: port ${metricsPort} is already in use: set ${metricsVariables} to a free port, or leave both unset for no /metrics.\n`
          : `\n${options.name}: the /metrics listener: ${error.message}\n`,
      );
      void database.stop().finally(() => process.exit(1));
    });
    metrics.listen(metricsPort, metricsHost, () => {
      const { address, port: bound } = metrics.address() as AddressInfo;
      log.info(`${options.name}: serving /metrics on http://${address.includes(":") ? `[${address}]` : address}:${bound}/metrics`);
    });
  }

  let stopping = false;
  async function shutdown() {
    if (stopping) return;
    stopping = true;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    // a scrape in flight is worth nothing once the process ends: its connections are cut at once
    const metricsClosed = new Promise((resolve) => (metrics ? metrics.close(resolve) : resolve(undefined)));
    metrics?.closeAllConnections();
    const cut = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, options.graceMs);
    await Promise.all([closed, metricsClosed]);
    clearTimeout(cut);
    // a step that fails is said, and the next still runs: above all the embedded database's stop, so no
    // PostgreSQL outlives the app (an unhandled rejection here used to end the process before it)
    let failed = false;
    for (const [what, step] of [
      ["closing the app", () => app.close?.()],
      ["closing the database connections", () => disconnectDb()],
      ["stopping the database", () => database.stop()],
    ] as const) {
      try {
        await step();
      } catch (error) {
        failed = true;
        log.error(`${options.name}: shutting down, ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    process.exit(failed ? 1 : 0);
  }
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}
