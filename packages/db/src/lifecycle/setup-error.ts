/**
 * A database start-up failure a person can fix. The CLI prints only its
 * message (one sentence saying what to do), never a stack trace.
 */
export class DatabaseSetupError extends Error {
  override readonly name = "DatabaseSetupError";
}
