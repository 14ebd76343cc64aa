import { keyCache, keyEventsStatus, usage, VERIFY_LATENCY_BUCKETS, verifyStats } from "@keysmith/auth";
import { listenReconnects, poolCounts } from "@keysmith/db";
import { ZVerifyCode } from "@keysmith/validators";
import { collectDefaultMetrics, Registry } from "prom-client";

import { registerCollected, type Sample } from "./collected-metric.ts";

/**
 * Everything /metrics shows, in a registry of Keysmith's own (prom-client's
 * global one is anyone's: a library could add to it). Every Keysmith family
 * is read from where its numbers are kept when Prometheus scrapes (the HTTP
 * counter's below), so serving a request never calls prom-client.
 */
export const metricsRegistry = new Registry();

// process and Node.js figures under their usual names (process_*, nodejs_*), so stock dashboards read them
collectDefaultMetrics({ register: metricsRegistry });

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A method, route and status seen, and how many requests were answered so. */
interface RequestSeries {
  labels: { method: string; route: string; status: string };
  count: number;
}

// One series per method, route and status seen (a few hundred at most: routes are patterns), counted in a
// plain object and read when scraped, like the verify path's counters: prom-client's Counter hashes the
// label object on every inc(), even through a bound child.
// By route, then status, then method: nested lookups of strings and numbers the map has seen (route labels
// and methods are constants, their hashes kept), where one key made of all three was a new string to build
// and hash on every request.
const httpRequestSeries = new Map<string, Map<number, Map<string, RequestSeries>>>();

export function countRequest(method: string, route: string, status: number): void {
  const known = METHODS.has(method) ? method : "other";
  let byStatus = httpRequestSeries.get(route);
  if (!byStatus) httpRequestSeries.set(route, (byStatus = new Map<number, Map<string, RequestSeries>>()));
  let byMethod = byStatus.get(status);
  if (!byMethod) byStatus.set(status, (byMethod = new Map<string, RequestSeries>()));
  const series = byMethod.get(known);
  if (series) series.count += 1;
  else byMethod.set(known, { labels: { method: known, route, status: String(status) }, count: 1 });
}

registerCollected(metricsRegistry, {
  name: "keysmith_http_requests_total",
  help: "HTTP requests answered, by method, route (a pattern, never a raw path) and status.",
  type: "counter",
  samples: () => [...httpRequestSeries.values()].flatMap((byStatus) => [...byStatus.values()].flatMap((byMethod) => [...byMethod.values()].map(({ labels, count }) => ({ value: count, labels })))),
});

const single = (value: number): Sample[] => [{ value }];

registerCollected(metricsRegistry, {
  name: "keysmith_verifications_total",
  help: "Key verifications by outcome (Bearer keys, POST /api/v1/api-keys/verify and apiKeys.verify).",
  type: "counter",
  // every outcome from the start, so rate() sees the first one of each
  samples: () => ZVerifyCode.options.map((outcome) => ({ value: verifyStats.outcomes.get(outcome) ?? 0, labels: { outcome } })),
});

registerCollected(metricsRegistry, {
  name: "keysmith_verify_duration_seconds",
  help: "How long verifying a key took, from the call to the answer.",
  type: "histogram",
  samples: () => {
    let cumulative = 0;
    // kept per bucket; Prometheus wants each bucket to count everything at or below its bound
    const buckets = VERIFY_LATENCY_BUCKETS.map((bound, i) => {
      cumulative += verifyStats.latencyBuckets[i] ?? 0;
      return { value: cumulative, labels: { le: String(bound) }, suffix: "_bucket" as const };
    });
    // the last bucket holds the slower ones: with it, every verification
    const count = cumulative + (verifyStats.latencyBuckets[VERIFY_LATENCY_BUCKETS.length] ?? 0);
    return [
      ...buckets,
      { value: count, labels: { le: "+Inf" }, suffix: "_bucket" },
      { value: verifyStats.latencySumSeconds, suffix: "_sum" },
      { value: count, suffix: "_count" },
    ];
  },
});

registerCollected(metricsRegistry, {
  name: "keysmith_key_cache_hits_total",
  help: "Verifications of well-formed keys answered from the key cache, without I/O.",
  type: "counter",
  samples: () => single(verifyStats.cacheHits),
});

registerCollected(metricsRegistry, {
  name: "keysmith_key_cache_misses_total",
  help: "Verifications of well-formed keys that asked the database (not cached yet, or the cache was not trusted).",
  type: "counter",
  samples: () => single(verifyStats.cacheMisses),
});

registerCollected(metricsRegistry, {
  name: "keysmith_key_cache_entries",
  help: 'Keys in the verification cache: "known" keys, and "unknown" ones (the cache of "no such key" answers).',
  type: "gauge",
  samples: () => [
    { value: keyCache.known.size, labels: { cache: "known" } },
    { value: keyCache.unknown.size, labels: { cache: "unknown" } },
  ],
});

registerCollected(metricsRegistry, {
  name: "keysmith_key_events_state",
  help: 'The key-change listener: 1 for its current state. "connecting" (the first connection) and "reconnecting" mean the key cache is bypassed; "idle", that no key was verified yet.',
  type: "gauge",
  samples: () => {
    const { state } = keyEventsStatus();
    return (["listening", "connecting", "reconnecting", "idle"] as const).map((each) => ({ value: each === state ? 1 : 0, labels: { state: each } }));
  },
});

registerCollected(metricsRegistry, {
  name: "keysmith_key_events_heartbeat_age_seconds",
  help: "Seconds since the key-change listener last heard its own heartbeat; absent before the first.",
  type: "gauge",
  samples: () => {
    const age = keyEventsStatus().heartbeatAgeMs;
    return age === null ? [] : single(age / 1000);
  },
});

registerCollected(metricsRegistry, {
  name: "keysmith_key_events_reconnects_total",
  help: "Times the key-change listener's connection was lost and replaced; each emptied the key cache.",
  type: "counter",
  samples: () => single(listenReconnects()),
});

registerCollected(metricsRegistry, {
  name: "keysmith_usage_flush_duration_seconds",
  help: "Writes of the gathered usage counts to the database, failed ones included, and the seconds they took.",
  type: "summary",
  samples: () => [
    { value: usage.stats.seconds, suffix: "_sum" },
    { value: usage.stats.flushes + usage.stats.failures, suffix: "_count" },
  ],
});

registerCollected(metricsRegistry, {
  name: "keysmith_usage_flush_failures_total",
  help: "Usage writes that failed; their counts are kept and tried again at the next flush.",
  type: "counter",
  samples: () => single(usage.stats.failures),
});

registerCollected(metricsRegistry, {
  name: "keysmith_usage_pending_counts",
  help: "Usage counts (one per key, minute and outcome) gathered in memory and not written yet.",
  type: "gauge",
  samples: () => single(usage.pendingCount),
});

const pool = (read: (counts: NonNullable<ReturnType<typeof poolCounts>>) => number) => () => {
  const counts = poolCounts();
  return counts ? single(read(counts)) : [];
};

registerCollected(metricsRegistry, {
  name: "keysmith_db_pool_connections",
  help: "Connections of the raw PostgreSQL pool (verification, usage writes, health probes), idle or in use; absent until it is first used.",
  type: "gauge",
  samples: pool((counts) => counts.total),
});

registerCollected(metricsRegistry, {
  name: "keysmith_db_pool_idle_connections",
  help: "Connections of the raw PostgreSQL pool waiting for a query.",
  type: "gauge",
  samples: pool((counts) => counts.idle),
});

registerCollected(metricsRegistry, {
  name: "keysmith_db_pool_waiting_queries",
  help: "Queries waiting for a connection of the raw PostgreSQL pool: above 0 for long, the pool is too small or the database too slow.",
  type: "gauge",
  samples: pool((counts) => counts.waiting),
});
