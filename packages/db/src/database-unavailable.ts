import { Prisma } from "./generated/prisma/client.ts";

/** Socket-level failures: the server cannot be reached, or the connection died. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/**
 * SQLSTATEs that say "not now" rather than "not like that": class 08
 * (connection exception), 53300 too many connections, 57014 a statement cut
 * off by statement_timeout, 57P01–57P03 the server shutting down, crashed or
 * starting up (cannot_connect_now, seen during every restart).
 */
const SQLSTATES = new Set(["53300", "57014", "57P01", "57P02", "57P03"]);
/**
 * Prisma's codes for the same: can't reach, timed out, closed, pool timeout,
 * and P2028, an interactive transaction that could not start (or finish) in
 * its time, which is what a stalled server looks like to one.
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
/** What @prisma/adapter-pg reports a pg failure as (DriverAdapterError's cause.kind). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** node-postgres raises these as plain Errors, with no code. */
const PG_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Query read timeout/, /is not queryable/];

function isUnavailableHere(error: object): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  const { code, kind, message } = error as { code?: unknown; kind?: unknown; message?: unknown };
  if (error instanceof Prisma.PrismaClientKnownRequestError && PRISMA_CODES.has(error.code)) return true;
  if (typeof code === "string" && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08"))) return true;
  if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
  return typeof message === "string" && PG_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether an error means "the database is unavailable right now" (answered
 * 503, try again) rather than a bug (500). The one place that decides, for
 * every surface: Prisma's errors, its pg driver adapter's, and pg's own, down
 * their `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    if (isUnavailableHere(current)) return true;
    const { cause, meta, originalCode } = current as { cause?: unknown; meta?: { driverAdapterError?: unknown }; originalCode?: unknown };
    if (typeof originalCode === "string" && (SQLSTATES.has(originalCode) || originalCode.startsWith("08"))) return true;
    pending.push(cause, meta?.driverAdapterError);
  }
  return false;
}
