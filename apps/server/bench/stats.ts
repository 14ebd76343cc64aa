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

/** Times `count` sequential runs of `op(i)`. */
export async function timeSequential(count: number, op: (i: number) => unknown, before?: (i: number) => void): Promise<Figures> {
  const samples: number[] = [];
  let total = 0n;
  for (let i = 0; i < count; i += 1) {
    before?.(i);
    const start = process.hrtime.bigint();
    await op(i);
    const took = process.hrtime.bigint() - start;
    total += took;
    samples.push(Number(took));
  }
  return summarize(samples, Number(total));
}
