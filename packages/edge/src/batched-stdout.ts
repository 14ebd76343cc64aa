/**
 * A pino destination that writes to process.stdout once per turn of the
 * event loop rather than once per line. A request's log line was a write
 * system call of its own: a quarter of a warm verification's time under load
 * (`pnpm bench:profile`). Lines are joined and written together right after
 * the current turn, and on exit (a normal end, a signal the process handles,
 * an uncaught exception), so nothing is lost then; a SIGKILL loses at most
 * the lines of the turn it interrupts. process.stdout is synchronous on
 * Linux for files, pipes and terminals, so the exit flush completes.
 */
export function batchedStdout(): { write(line: string): void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    process.stdout.write(text);
  };
  process.on("exit", flush);
  return {
    write(line) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}
