import http from "node:http";

import { generateApiKey, signUp } from "@keysmith/auth";
import { dbEnv } from "@keysmith/db";
import { freePort } from "@keysmith/db/lifecycle";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

/**
 * One apps/server with its /metrics listener on a port of its own
 * (KEYSMITH_API_METRICS_PORT, loopback by default), scraped over HTTP after
 * requests whose counts the test knows.
 */
let app: Instance;
let metricsUrl: string;
let token: string;
const url = () => dbEnv.databaseUrl() ?? "";

beforeAll(async () => {
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}`;
  app = await startInstance(url(), { KEYSMITH_API_METRICS_PORT: String(metricsPort) });
  await signUp({ username: "metered", email: "metered@example.test", name: "Metered", password: "a long password" });
  const login = await fetch(`${app.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "metered", password: "a long password" }) });
  token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
}, 120_000);

afterAll(async () => {
  await app.stop();
});

/** One sample of the text exposition format: `name{label="value",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format (0.0.4), read strictly: every line is a comment, a sample, or empty, or the parse fails. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string>; helps: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      (comment[1] === "TYPE" ? types : helps).set(comment[2] ?? "", comment[3] ?? "");
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a line of the exposition format: ${line}`);
    const labels: Record<string, string> = {};
    const pairs = sample[2] ?? "";
    const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;
    while (label.lastIndex < pairs.length) {
      const pair = label.exec(pairs);
      if (!pair) throw new Error(`bad labels: ${line}`);
      labels[pair[1] ?? ""] = (pair[2] ?? "").replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    // as Prometheus reads them (Go's ParseFloat): Inf and NaN in any case; prom-client writes "Nan"
    const raw = sample[3] ?? "";
    const value = /^[+-]?inf$/i.test(raw) ? (raw.startsWith("-") ? -Infinity : Infinity) : /^nan$/i.test(raw) ? NaN : Number(raw);
    if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`bad value: ${line}`);
    samples.push({ name: sample[1] ?? "", labels, value });
  }
  return { samples, types, helps };
}

async function scrape() {
  const response = await fetch(`${metricsUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const parsed = parseExposition(await response.text());
  /** The value of the one sample with this name and exactly these labels. */
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = parsed.samples.filter((sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
    return found[0]?.value ?? NaN;
  };
  return { ...parsed, value };
}

async function call(method: string, path: string, options: { bearer?: string; body?: unknown } = {}) {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}), "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, body: (await response.json()) as { data: Record<string, unknown> | null } };
}

describe("GET /metrics on KEYSMITH_API_METRICS_PORT", () => {
  test("verification outcomes and the latency histogram equal the verifications made; cache, listener, usage and pool series are there with sensible values; HTTP requests are counted by method, route pattern and status; process metrics are there too", async () => {
    const created = await call("POST", "/api/v1/api-keys", { bearer: token, body: { name: "metered" } });
    expect(created.status).toBe(201);
    const key = String(created.body.data?.key);
    const verify = (candidate: string) => call("POST", "/api/v1/api-keys/verify", { bearer: token, body: { key: candidate } });
    const codes: unknown[] = [];
    for (const candidate of [key, key, key, "ak_nope", "not a key", generateApiKey()]) codes.push((await verify(candidate)).body.data?.code);
    expect(codes).toEqual(["VALID", "VALID", "VALID", "MALFORMED", "MALFORMED", "NOT_FOUND"]);
    expect((await call("GET", "/api/v1/api-keys", { bearer: token })).status).toBe(200);
    expect((await call("GET", "/api/v1/api-keys", { bearer: token })).status).toBe(200);
    expect((await call("GET", "/api/v1/api-keys", { bearer: "aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb" })).status).toBe(401);
    expect((await call("GET", "/api/v1/api-keys/999999", { bearer: token })).status).toBe(404);
    expect((await call("GET", "/api/trpc/health.check")).status).toBe(200);

    // the first verification started the key-change listener; it connects in the background
    await expect.poll(async () => (await scrape()).value("keysmith_key_events_state", { state: "listening" }), { timeout: 5_000 }).toBe(1);
    const metrics = await scrape();
    const { value } = metrics;

    for (const [outcome, count] of Object.entries({ VALID: 3, MALFORMED: 2, NOT_FOUND: 1, EXPIRED: 0, REVOKED: 0, INSUFFICIENT_SCOPE: 0, RATE_LIMITED: 0 })) {
      expect(value("keysmith_verifications_total", { outcome }), outcome).toBe(count);
    }
    expect(metrics.types.get("keysmith_verifications_total")).toBe("counter");

    expect(metrics.types.get("keysmith_verify_duration_seconds")).toBe("histogram");
    const buckets = metrics.samples.filter((sample) => sample.name === "keysmith_verify_duration_seconds_bucket");
    expect(buckets.map((bucket) => bucket.labels.le)).toEqual(["0.00001", "0.00005", "0.0001", "0.0005", "0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "+Inf"]);
    // cumulative: each bucket counts everything at or below its bound
    for (const [i, bucket] of buckets.entries()) expect(bucket.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value ?? 0);
    expect(value("keysmith_verify_duration_seconds_bucket", { le: "+Inf" })).toBe(6);
    expect(value("keysmith_verify_duration_seconds_count")).toBe(6);
    expect(value("keysmith_verify_duration_seconds_sum")).toBeGreaterThan(0);
    expect(value("keysmith_verify_duration_seconds_sum")).toBeLessThan(6 * 5);

    // malformed keys never reach the cache; the other four were each a hit or a miss
    expect(value("keysmith_key_cache_hits_total") + value("keysmith_key_cache_misses_total")).toBe(4);
    expect(value("keysmith_key_cache_misses_total")).toBeGreaterThanOrEqual(1);
    expect(value("keysmith_key_cache_entries", { cache: "known" })).toBeLessThanOrEqual(1);
    expect(value("keysmith_key_cache_entries", { cache: "unknown" })).toBeLessThanOrEqual(1);
    expect(value("keysmith_key_events_state", { state: "reconnecting" })).toBe(0);
    expect(value("keysmith_key_events_state", { state: "idle" })).toBe(0);
    expect(value("keysmith_key_events_heartbeat_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(value("keysmith_key_events_heartbeat_age_seconds")).toBeLessThan(5);
    expect(value("keysmith_key_events_reconnects_total")).toBe(0);

    expect(metrics.types.get("keysmith_usage_flush_duration_seconds")).toBe("summary");
    expect(value("keysmith_usage_flush_duration_seconds_count")).toBeGreaterThanOrEqual(0);
    expect(value("keysmith_usage_flush_failures_total")).toBe(0);
    // the three VALID verifications of one key in one minute are one count, unless a flush already wrote it
    expect(value("keysmith_usage_pending_counts")).toBeLessThanOrEqual(1);

    expect(value("keysmith_db_pool_connections")).toBeGreaterThanOrEqual(1);
    expect(value("keysmith_db_pool_idle_connections")).toBeLessThanOrEqual(value("keysmith_db_pool_connections"));
    expect(value("keysmith_db_pool_waiting_queries")).toBe(0);

    const requests = (method: string, route: string, status: number) => value("keysmith_http_requests_total", { method, route, status: String(status) });
    expect(requests("POST", "/api/v1/login", 200)).toBe(1);
    expect(requests("POST", "/api/v1/api-keys", 201)).toBe(1);
    expect(requests("POST", "/api/v1/api-keys/verify", 200)).toBe(6);
    expect(requests("GET", "/api/v1/api-keys", 200)).toBe(2);
    expect(requests("GET", "/api/v1/api-keys", 401)).toBe(1);
    expect(requests("GET", "/api/v1/api-keys/:id", 404)).toBe(1);
    expect(requests("GET", "health.check", 200)).toBe(1);
    // the harness's start-up probe
    expect(requests("GET", "/healthz", 200)).toBeGreaterThanOrEqual(1);
    const routes = new Set(metrics.samples.filter((sample) => sample.name === "keysmith_http_requests_total").map((sample) => sample.labels.route));
    // no id in a label: /api-keys/999999 was counted under its pattern
    expect([...routes].filter((route) => route !== undefined && /\/\d+(\/|$)/.test(route))).toEqual([]);

    for (const name of metrics.types.keys()) expect(metrics.helps.get(name), name).toBeTruthy();
    expect(value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(metrics.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
  });

  test("the public port does not serve /metrics: it answers the 404 envelope", async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ data: null, message: "There is no endpoint at /metrics.", status: "failed" });
  });

  test("the metrics listener answers nothing but GET and HEAD /metrics: another path is a 404 envelope, POST a 405 with Allow", async () => {
    const elsewhere = await fetch(`${metricsUrl}/api/v1/api-keys`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({ data: null, status: "failed", message: "This listener serves only GET /metrics, not /api/v1/api-keys." });
    const post = await fetch(`${metricsUrl}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${metricsUrl}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});

describe("request ids on the public port", () => {
  test("a response carries the X-Request-Id sent when it is acceptable, and a fresh UUID when it is absent or not", async () => {
    const given = await fetch(`${app.url}/api/v1/api-keys`, { headers: { "x-request-id": "lb-7f3a.2:1" } });
    expect(given.headers.get("x-request-id")).toBe("lb-7f3a.2:1");
    const offered: Record<string, string>[] = [{}, { "x-request-id": "no spaces allowed" }, { "x-request-id": "x".repeat(129) }];
    for (const headers of offered) {
      const answer = await fetch(`${app.url}/healthz`, { headers });
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe("start-up and shutdown", () => {
  test.each([
    [
      { KEYSMITH_METRICS_PORT: "4567", KEYSMITH_API_PORT: "4567" },
      "The /metrics port, KEYSMITH_API_METRICS_PORT (or KEYSMITH_METRICS_PORT), is 4567, the port this app serves requests on (KEYSMITH_API_PORT or PORT); give /metrics a port of its own.",
    ],
    [{ KEYSMITH_METRICS_PORT: "metrics" }, 'KEYSMITH_METRICS_PORT must be a port number from 1 to 65535 (or unset, for no metrics listener), not "metrics".'],
    [{ KEYSMITH_LOG_LEVEL: "verbose" }, 'KEYSMITH_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "verbose".'],
  ])("with %o the server does not start, and says why: %s", async (env, sentence) => {
    await expect(startInstance(url(), env)).rejects.toThrow(sentence);
  });

  test("SIGTERM with a scrape connection still open stops the server within 3 s, and the metrics port closes with it", async () => {
    const agent = new http.Agent({ keepAlive: true });
    const { port } = new URL(metricsUrl);
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: "127.0.0.1", port, path: "/metrics", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      }).on("error", reject);
    });
    expect(status).toBe(200);
    const started = performance.now();
    await app.stop();
    expect(performance.now() - started).toBeLessThan(3_000);
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
    agent.destroy();
  });
});
