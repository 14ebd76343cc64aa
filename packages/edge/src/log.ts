import { AsyncLocalStorage } from "node:async_hooks";

import { sendUnexpectedErrorsTo } from "@keysmith/rest";
import { type Logger, pino } from "pino";

import { serverEnv } from "./env.ts";

let shared: Logger | undefined;

/**
 * The process's log: one JSON object a line on stdout, at KEYSMITH_LOG_LEVEL,
 * made on first use so the level is read after start-up has checked it.
 * process.stdout rather than pino's own file-descriptor writer: it is
 * synchronous on Linux for files, pipes and terminals alike, so nothing is
 * lost when shutdown ends the process, and tests can capture it.
 */
export function processLog(): Logger {
  shared ??= pino({ level: serverEnv.logLevel() }, process.stdout);
  return shared;
}

/** What every log line written while serving a request carries. */
interface RequestScope {
  requestId: string;
  log: Logger;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `serve` with the request's id and log in reach of anything it calls, unexpected errors included. */
export function withinRequest<T>(requestScope: RequestScope, serve: () => T): T {
  return scope.run(requestScope, serve);
}

/**
 * Sends every surface's unexpected errors (logUnexpectedError in
 * @keysmith/rest) to the JSON log, with the id of the request that met them.
 * Only the report's fields are written: it holds the error's name, message
 * and stack, never the error object, whose properties may hold a request body.
 */
export function logUnexpectedErrorsAsJson(): void {
  sendUnexpectedErrorsTo(({ surface, where, error }) => {
    const current = scope.getStore();
    const log = current?.log ?? processLog();
    log.error({ ...(current ? { requestId: current.requestId } : {}), surface, where, error }, `${surface}: ${where} failed`);
  });
}
