// A real apps/server process on a free port, started the way the benchmark starts it.
export { type ProcessEnv, type Server as Instance, startApi as startInstance } from "../bench/processes.ts";

/** Polls `check` every 10 ms until it holds; returns how long that took, or throws after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
