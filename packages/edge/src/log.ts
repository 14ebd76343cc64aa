import { sendUnexpectedErrorsTo } from "@keysmith/rest";
import { type Logger, pino } from "pino";

import { batchedStdout } from "./batched-stdout.ts";
import { serverEnv } from "./env.ts";

let shared: Logger | undefined;

/**
 * The process's log: one JSON object a line on stdout, at KEYSMITH_LOG_LEVEL,
 * made on first use so the level is read after start-up has checked it.
 * process.stdout rather than pino's own file-descriptor writer: it is
 * synchronous on Linux for files, pipes and terminals alike, so nothing is
 * lost when shutdown ends the process; written once per event-loop turn
 * (batched-stdout.ts), not once per line.
 */
export function processLog(): Logger {
  shared ??= pino({ level: serverEnv.logLevel() }, batchedStdout());
  return shared;
}

/**
 * Sends every surface's unexpected errors (logUnexpectedError in
 * @keysmith/rest) to `log`, with the id of the request that met them (the
 * surfaces read it from the request's X-Request-Id, which the listener sets:
 * no AsyncLocalStorage, whose promise hooks would cost every request).
 * Only the report's fields are written: it holds the error's name, message
 * and stack, never the error object, whose properties may hold a request body.
 */
export function logUnexpectedErrorsAsJson(log: Logger): void {
  sendUnexpectedErrorsTo(({ surface, where, error, requestId }) => {
    log.error({ ...(requestId ? { requestId } : {}), surface, where, error }, `${surface}: ${where} failed`);
  });
}
