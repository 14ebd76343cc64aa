/** What is written of an unexpected error: where it happened, and only the error's name, message and stack. */
export interface UnexpectedErrorReport {
  surface: "rest" | "trpc" | "edge";
  where: string;
  /** The request's X-Request-Id (the edge sets it on every request), to find its other lines. */
  requestId?: string;
  error: { name: string; message: string; stack?: string };
}

export type UnexpectedErrorLog = (report: UnexpectedErrorReport) => void;

// until a server installs its structured log (packages/edge): a package used alone still reports its bugs
let log: UnexpectedErrorLog = ({ surface, where, error }) => {
  const text = error.stack ?? (error.message ? `${error.name}: ${error.message}` : error.name);
  console.error(`keysmith ${surface}: ${where} failed: ${text}`);
};

/**
 * Where unexpected errors go from now on. The server that owns the process's
 * output (the edge listener) sends them to its JSON log with the request's id;
 * this package cannot know that id, nor how the process logs.
 */
export function sendUnexpectedErrorsTo(next: UnexpectedErrorLog): void {
  log = next;
}

/**
 * The one policy for unexpected errors on every surface (REST, tRPC, the edge): log
 * where and what, with the stack, so a person can find the bug. Only the
 * error's name, message and stack are written, never the error object
 * itself: libraries attach request data to their errors (bodies, query
 * arguments), and a body may hold a password or a key.
 */
export function logUnexpectedError(surface: UnexpectedErrorReport["surface"], where: string, error: unknown, requestId?: string | null): void {
  const report =
    error instanceof Error
      ? { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) }
      : { name: `a thrown ${typeof error}`, message: "" };
  log({ surface, where, error: report, ...(requestId ? { requestId } : {}) });
}
