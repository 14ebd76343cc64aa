import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "@keysmith/db/lifecycle";

export const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const webDir = path.resolve(apiDir, "../web");
const tsxCli = path.join(apiDir, "node_modules/tsx/dist/cli.mjs");

export interface Server {
  url: string;
  /** The process started (with the tsx command, its parent: the app runs in a child). */
  pid: number;
  /** SIGTERM, and the exit it leads to: a graceful shutdown. */
  stop(): Promise<void>;
  /** SIGKILL: the process ends at once, with nothing flushed. */
  kill(): Promise<void>;
}

/** Settings for a started process; `undefined` removes one the parent has (NODE_ENV, say). */
export type ProcessEnv = Record<string, string | undefined>;

async function startProcess(args: string[], cwd: string, env: ProcessEnv, probe: string): Promise<Server> {
  const port = await freePort();
  const output: string[] = [];
  // each app's own port variable would win over PORT: clear them, so the free port found here is the one used
  // and a metrics port set in the shell would make every started server want the same one
  const unset = { KEYSMITH_API_PORT: undefined, KEYSMITH_WEB_PORT: undefined, KEYSMITH_METRICS_PORT: undefined, KEYSMITH_API_METRICS_PORT: undefined, KEYSMITH_WEB_METRICS_PORT: undefined };
  const merged: ProcessEnv = { ...process.env, ...unset, ...env, PORT: String(port), KEYSMITH_API_HOST: "127.0.0.1", NEXT_TELEMETRY_DISABLED: "1" };
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // the servers log a line per request (as in production): keep only the latest, for a start-up failure's message
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited:\n${output.join("")}`);
    try {
      const response = await fetch(`${url}${probe}`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      // not left running: it may still come up, and would skew whatever is measured next
      child.kill("SIGKILL");
      throw new Error(`${args.join(" ")} did not start:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const signal = (name: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(name);
    });
  const kill = async () => {
    // tsx runs the app in a child process of its own and cannot pass SIGKILL on: kill that child first
    try {
      execFileSync("pkill", ["-KILL", "-P", String(child.pid)]);
    } catch {
      // no child left (pkill exits 1 when nothing matched)
    }
    await signal("SIGKILL");
  };
  return { url, pid: child.pid ?? 0, stop: () => signal("SIGTERM"), kill };
}

/**
 * Starts servers side by side. If one fails to start, those that did are
 * stopped before the error is thrown: otherwise they would outlive the
 * benchmark and skew the next one.
 */
export async function startAll<T extends Promise<Server>[]>(starts: [...T]): Promise<{ [K in keyof T]: Server }> {
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (!failed) return started as { [K in keyof T]: Server };
  await Promise.all(started.map((server) => server.stop()));
  throw failed.reason;
}

/** Bare Node http; with `steps` (1 to 3), doing a verification's unavoidable work too (see floor-server.ts). */
export const startFloor = (steps = 0) => startProcess([tsxCli, "bench/floor-server.ts"], apiDir, steps ? { KEYSMITH_FLOOR_STEPS: String(steps) } : {}, "/");
/** The floor's answer from Node's HTTP parser on a bare socket, without the http module (see parser-floor.ts). */
export const startParserFloor = () => startProcess([tsxCli, "bench/parser-floor.ts"], apiDir, {}, "/");
/** apps/server as its `start` script runs it (node, tsx as a loader: one process), with Node flags of the caller's (--cpu-prof). */
export const startApiWithFlags = (databaseUrl: string, flags: string[], env: ProcessEnv = {}) =>
  startProcess([...flags, "--import", "tsx", "src/main.ts"], apiDir, { DATABASE_URL: databaseUrl, ...env }, "/healthz");
/**
 * apps/server as its `start` script runs it. Not through the tsx command, as
 * the floors are: that one runs the app in a child process, passes SIGTERM on
 * and SIGKILLs the child unless it answers within 30 ms, which a loaded
 * machine cannot promise, so a graceful stop (the usage flush, closing the
 * metrics port) could end as a kill that looked like one.
 */
export const startApi = (databaseUrl: string, env: ProcessEnv = {}) => startApiWithFlags(databaseUrl, [], env);
// apps/web's own server, as `pnpm start` runs it
export const startWeb = (databaseUrl: string) =>
  startProcess(
    [tsxCli, "server.ts"],
    webDir,
    { DATABASE_URL: databaseUrl, NODE_ENV: "production", KEYSMITH_WEB_HOST: "127.0.0.1" },
    "/api/trpc/health.check",
  );
