import pg from "pg";

import { dbEnv } from "./env.ts";

export interface Subscription {
  /** True while notifications are being received; false while reconnecting. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  /** Called for every notification on the channel. */
  onMessage(payload: string): void;
  /**
   * Called when the connection is lost and again when it is back: anything
   * sent in between was missed, so state built on the notifications must be
   * dropped.
   */
  onGap(): void;
  /** Delay before each reconnection attempt (default 250 ms, doubling to 5 s). */
  retryMs?: number;
}

/**
 * LISTENs on a PostgreSQL channel over a dedicated connection, reconnecting on
 * its own when the connection drops. Timers are unref'd, so a subscription
 * never keeps the process alive.
 */
export function subscribe(channel: string, options: SubscribeOptions): Subscription {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Invalid channel name: ${channel}`);
  const url = dbEnv.databaseUrl();
  if (!url) throw new Error("DATABASE_URL is not set.");
  const firstRetry = options.retryMs ?? 250;

  let client: pg.Client | undefined;
  let connected = false;
  let stopped = false;
  let retry = firstRetry;
  let timer: NodeJS.Timeout | undefined;
  // read through a function: stop() may run while connect() awaits
  const isStopped = () => stopped;

  function lost() {
    if (connected) options.onGap();
    connected = false;
    const dead = client;
    client = undefined;
    void dead?.end().catch(() => undefined);
    if (stopped) return;
    timer = setTimeout(() => void connect(), retry);
    timer.unref();
    retry = Math.min(retry * 2, 5_000);
  }

  async function connect() {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url, application_name: `keysmith-listen-${channel}-${process.pid}` });
    next.on("error", lost);
    next.on("end", () => {
      if (client === next) lost();
    });
    next.on("notification", (message) => {
      if (message.channel === channel && message.payload !== undefined) options.onMessage(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch {
      void next.end().catch(() => undefined);
      if (!isStopped()) {
        timer = setTimeout(() => void connect(), retry);
        timer.unref();
        retry = Math.min(retry * 2, 5_000);
      }
      return;
    }
    if (isStopped()) {
      await next.end().catch(() => undefined);
      return;
    }
    // don't keep the process alive for the sake of listening
    (next as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    client = next;
    connected = true;
    retry = firstRetry;
    options.onGap();
  }

  void connect();
  return {
    get connected() {
      return connected;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      connected = false;
      await current?.end().catch(() => undefined);
    },
  };
}
