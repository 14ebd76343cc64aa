export interface Figures {
  p50us: number;
  p99us: number;
  perSecond: number;
}

/** p50/p99 of per-operation times (ns) and the rate over the whole run. */
export function summarize(samplesNs: number[], totalNs: number): Figures {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50us: at(0.5) / 1000, p99us: at(0.99) / 1000, perSecond: (samplesNs.length / totalNs) * 1e9 };
}

/** One timed operation: `op(i)`, after the untimed `before(i)`. */
export interface Timed {
  op: (i: number) => unknown;
  before?: (i: number) => void;
}

/** The times of one operation's runs so far (ns), and their sum. */
interface Run {
  samples: number[];
  total: bigint;
}

async function timeOnce(timed: Timed, i: number, run: Run): Promise<void> {
  timed.before?.(i);
  const start = process.hrtime.bigint();
  await timed.op(i);
  const took = process.hrtime.bigint() - start;
  run.total += took;
  run.samples.push(Number(took));
}

/** Times `count` sequential runs of `op(i)`. */
export async function timeSequential(count: number, op: (i: number) => unknown, before?: (i: number) => void): Promise<Figures> {
  const run: Run = { samples: [], total: 0n };
  for (let i = 0; i < count; i += 1) await timeOnce({ op, before }, i, run);
  return summarize(run.samples, Number(run.total));
}

/**
 * Times `count` runs each of `a` and `b`, interleaved one by one (a b, b a,
 * a b, …), so that whatever the shared machine does meanwhile slows both
 * alike: a floor measured in a block of its own, then the path measured
 * against it in the next, gave ratios that swung by a third from run to run
 * with the same code.
 */
export async function timeInterleaved(count: number, a: Timed, b: Timed): Promise<[Figures, Figures]> {
  const runs: (Run & { timed: Timed })[] = [a, b].map((timed) => ({ timed, samples: [], total: 0n }));
  for (let i = 0; i < count; i += 1) {
    for (const run of i % 2 === 0 ? runs : [...runs].reverse()) await timeOnce(run.timed, i, run);
  }
  const [first, second] = runs.map((run) => summarize(run.samples, Number(run.total)));
  return [first as Figures, second as Figures];
}

/**
 * Times `count` runs of `op(i)`, `inFlight` of them at a time: each run's own
 * time, and the rate over the whole run by the clock (not the sum of the runs,
 * which overlap).
 */
export async function timeConcurrent(count: number, inFlight: number, op: (i: number) => unknown): Promise<Figures> {
  const run: Run = { samples: [], total: 0n };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await timeOnce({ op }, i, run);
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return summarize(run.samples, Number(process.hrtime.bigint() - started));
}
