import { type Metric, type Registry } from "prom-client";

/** One line of a metric family: its value, labels, and the suffix of a histogram's or summary's part ("_bucket", "_sum", "_count"). */
export interface Sample {
  value: number;
  labels?: Record<string, string>;
  suffix?: "_bucket" | "_sum" | "_count";
}

/**
 * Registers a metric whose samples are read when scraped, from numbers kept
 * elsewhere (the verify path's plain counters, the pool's own counts).
 * prom-client's own classes cannot hold such numbers: a Counter only adds,
 * and a Histogram only takes observations one by one, not counts already
 * made per bucket. Its registry needs nothing of a metric but its name, a
 * get() that answers the family, and reset().
 */
export function registerCollected(
  registry: Registry,
  family: { name: string; help: string; type: "counter" | "gauge" | "histogram" | "summary"; samples: () => Sample[] },
): void {
  const { name, help, type } = family;
  const metric = {
    name,
    help,
    type,
    aggregator: "sum",
    get: () =>
      Promise.resolve({
        name,
        help,
        type,
        aggregator: "sum",
        values: family.samples().map((sample) => ({ value: sample.value, labels: sample.labels ?? {}, ...(sample.suffix ? { metricName: `${name}${sample.suffix}` } : {}) })),
      }),
    // what there is to reset lives elsewhere
    reset: () => undefined,
  };
  // prom-client types its registry as holding only its own four classes
  registry.registerMetric(metric as unknown as Metric);
}
