import { afterEach, expect, test, vi } from "vitest";

import { getPool, subscribe, type Subscription } from "../src/index.ts";

let subscription: Subscription | undefined;
afterEach(async () => {
  await subscription?.stop();
});

async function listenerBackendPids(channel: string): Promise<number[]> {
  const { rows } = await getPool().query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [`keysmith-listen-${channel}-${process.pid}`]);
  return rows.map((row) => row.pid);
}

test("a LISTEN connection that goes silent (its backend stalled, no FIN or RST) is noticed by its heartbeat, reported as a gap, and replaced", async () => {
  const gaps: number[] = [];
  const messages: string[] = [];
  const started = performance.now();
  subscription = subscribe("keysmith_test_silence", { heartbeatMs: 200, retryMs: 50, onGap: () => gaps.push(performance.now() - started), onMessage: (m) => messages.push(m) });
  await vi.waitFor(() => expect(subscription?.connected).toBe(true), { timeout: 5_000, interval: 20 });
  expect(gaps).toHaveLength(1); // connected: a fresh start

  const [stalled] = await listenerBackendPids("keysmith_test_silence");
  if (stalled === undefined) throw new Error("no listener backend found");
  process.kill(stalled, "SIGSTOP");
  try {
    const silentAt = performance.now() - started;
    await vi.waitFor(() => expect(subscription?.connected).toBe(false), { timeout: 3_000, interval: 20 });
    expect(gaps).toHaveLength(2);
    // three heartbeats of 200 ms, give or take a beat
    expect((gaps[1] ?? 0) - silentAt).toBeLessThan(1_200);

    await vi.waitFor(() => expect(subscription?.connected).toBe(true), { timeout: 5_000, interval: 20 });
    expect(gaps).toHaveLength(3);
    const pids = await listenerBackendPids("keysmith_test_silence");
    expect(pids.filter((pid) => pid !== stalled)).toHaveLength(1);
    await getPool().query("SELECT pg_notify('keysmith_test_silence', 'after the replacement')");
    await vi.waitFor(() => expect(messages).toEqual(["after the replacement"]), { timeout: 2_000, interval: 20 });
  } finally {
    process.kill(stalled, "SIGCONT");
  }
});

test("heartbeats travel on a channel of the connection's own: its own listener and another on the channel hear none of them", async () => {
  const heard: string[] = [];
  const otherHeard: string[] = [];
  subscription = subscribe("keysmith_test_quiet", { heartbeatMs: 100, onGap: () => undefined, onMessage: (m) => heard.push(m) });
  const other = subscribe("keysmith_test_quiet", { heartbeatMs: 100, onGap: () => undefined, onMessage: (m) => otherHeard.push(m) });
  try {
    await vi.waitFor(() => expect([subscription?.connected, other.connected]).toEqual([true, true]), { timeout: 5_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(heard).toEqual([]);
    expect(otherHeard).toEqual([]);
    // the beats did come back, each on its own channel
    expect(subscription.heartbeatAgeMs).toBeLessThan(400);
    expect(other.heartbeatAgeMs).toBeLessThan(400);
  } finally {
    await other.stop();
  }
});
