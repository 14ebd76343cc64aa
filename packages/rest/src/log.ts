/**
 * The one policy for unexpected errors on every surface (REST, tRPC, the edge): log
 * where and what, with the stack, so a person can find the bug. Only the
 * error's name, message and stack are written, never the error object
 * itself: libraries attach request data to their errors (bodies, query
 * arguments), and a body may hold a password or a key.
 */
export function logUnexpectedError(surface: "rest" | "trpc" | "edge", where: string, error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : `a thrown ${typeof error}`;
  console.error(`keysmith ${surface}: ${where} failed: ${text}`);
}
