import { onDisconnect } from "@keysmith/db";

const running = new Map<string, NodeJS.Timeout>();

/**
 * Runs `task` every `everyMs` in this process, from the first call for `name`
 * on (later calls do nothing), until the database disconnects. Each task must
 * be safe on every instance at once, since every instance runs it. A failure
 * is logged and the next run tries again.
 */
export function runPeriodically(name: string, everyMs: number, task: () => Promise<unknown>): void {
  if (running.has(name)) return;
  const timer = setInterval(() => {
    task().catch((error: unknown) => {
      console.error(`keysmith: ${name} failed, trying again in ${Math.round(everyMs / 60_000)} min: ${error instanceof Error ? error.message : String(error)}`);
    });
  }, everyMs);
  timer.unref();
  running.set(name, timer);
  onDisconnect(() => {
    clearInterval(timer);
    running.delete(name);
    return Promise.resolve();
  });
}
