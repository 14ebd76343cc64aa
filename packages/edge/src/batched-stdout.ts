/** Lines wait at most this long for others to share their write… */
export const FLUSH_MS = 50;
/** …or until this much is pending. */
export const FLUSH_BYTES = 16 * 1024;

/**
 * A pino destination that writes to process.stdout in batches rather than
 * once per line. A request's log line was a write system call of its own: a
 * quarter of a warm verification's time under load (`pnpm bench:profile`),
 * and at one request at a time, one write (and one wake-up of whatever
 * reads the log) per request. Lines are joined and written together every
 * FLUSH_MS, or as soon as FLUSH_BYTES are pending, and on exit (a normal end,
 * a signal the process handles, an uncaught exception), so nothing is lost
 * then; a SIGKILL loses at most the last FLUSH_MS of lines. process.stdout is
 * synchronous on Linux for files, pipes and terminals, so the exit flush
 * completes.
 */
export function batchedStdout(): { write(line: string): void } {
  let pending: string[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    pendingBytes = 0;
    process.stdout.write(text);
  };
  process.on("exit", flush);
  return {
    write(line) {
      pending.push(line);
      pendingBytes += line.length;
      if (pendingBytes >= FLUSH_BYTES) flush();
      // unref: a pending flush never keeps the process alive; the exit flush writes what is left
      else timer ??= setTimeout(flush, FLUSH_MS).unref();
    },
  };
}
