import { randomBytes } from "node:crypto";

import pg from "pg";

import { dbEnv } from "./env.ts";
import { poolConfig } from "./pool-config.ts";

export interface Subscription {
  /**
   * True while notifications are known to arrive: connected, and this
   * connection's own heartbeat came back recently. False while reconnecting.
   */
  readonly connected: boolean;
  /** Milliseconds since the last heartbeat came back, or null before the first. */
  readonly heartbeatAgeMs: number | null;
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  /** Called for every notification on the channel. */
  onMessage(payload: string): void;
  /**
   * Called when the connection is lost (or found silent) and again when it is
   * back: anything sent in between was missed, so state built on the
   * notifications must be dropped.
   */
  onGap(): void;
  /** Delay before each reconnection attempt (default 250 ms, doubling to 5 s). */
  retryMs?: number;
  /**
   * How often the connection NOTIFYs itself (default 1 s). When no heartbeat
   * has come back for three intervals the connection is presumed dead, even
   * though no error or FIN arrived (a black-holed network, a stalled server).
   */
  heartbeatMs?: number;
}

type Connection = { stream?: { destroy?: () => void; unref?: () => void } };

let reconnections = 0;

/**
 * For operators (/metrics): how many times, in this process, a LISTEN
 * connection that had been working was replaced by a new one. A steady rise
 * means a flaky network or database; each one cleared the key cache.
 */
export function listenReconnects(): number {
  return reconnections;
}

/** Ends a client whose peer may never answer: drop the socket, don't wait for a goodbye. */
function discard(client: pg.Client): void {
  (client as unknown as { connection?: Connection }).connection?.stream?.destroy?.();
  void client.end().catch(() => undefined);
}

/**
 * LISTENs on a PostgreSQL channel over a dedicated connection, reconnecting on
 * its own when the connection drops or goes silent. Timers are unref'd, so a
 * subscription never keeps the process alive.
 */
export function subscribe(channel: string, options: SubscribeOptions): Subscription {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Invalid channel name: ${channel}`);
  const url = dbEnv.databaseUrl();
  if (!url) throw new Error("DATABASE_URL is not set.");
  const firstRetry = options.retryMs ?? 250;
  const heartbeatMs = options.heartbeatMs ?? dbEnv.listenHeartbeatMs();
  // a channel only this connection listens on, so heartbeats reach no one else
  const heartbeatChannel = `${channel}_hb_${randomBytes(6).toString("hex")}`;

  let client: pg.Client | undefined;
  let connected = false;
  let stopped = false;
  let retry = firstRetry;
  let retryTimer: NodeJS.Timeout | undefined;
  let lastHeard: number | undefined;
  let everConnected = false;
  // read through a function: stop() may run while connect() awaits
  const isStopped = () => stopped;

  function scheduleConnect() {
    if (stopped) return;
    retryTimer = setTimeout(() => void connect(), retry);
    retryTimer.unref();
    retry = Math.min(retry * 2, 5_000);
  }

  function lost(dead: pg.Client) {
    if (client !== dead) return;
    if (connected) options.onGap();
    connected = false;
    client = undefined;
    discard(dead);
    scheduleConnect();
  }

  // one timer for the life of the subscription: beat, and check the last beat came back
  const heartbeat = setInterval(() => {
    const current = client;
    if (!current || !connected) return;
    if (lastHeard !== undefined && Date.now() - lastHeard > 3 * heartbeatMs) {
      lost(current);
      return;
    }
    current.query(`NOTIFY ${heartbeatChannel}`).catch(() => lost(current));
  }, heartbeatMs);
  heartbeat.unref();

  async function connect() {
    if (stopped) return;
    const next = new pg.Client({ ...poolConfig(url ?? ""), application_name: `keysmith-listen-${channel}-${process.pid}` });
    next.on("error", () => lost(next));
    next.on("end", () => lost(next));
    next.on("notification", (message) => {
      if (message.channel === heartbeatChannel) lastHeard = Date.now();
      else if (message.channel === channel && message.payload !== undefined) options.onMessage(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      await next.query(`LISTEN ${heartbeatChannel}`);
    } catch {
      discard(next);
      scheduleConnect();
      return;
    }
    if (isStopped()) {
      discard(next);
      return;
    }
    // don't keep the process alive for the sake of listening
    (next as unknown as { connection?: Connection }).connection?.stream?.unref?.();
    client = next;
    connected = true;
    lastHeard = Date.now();
    retry = firstRetry;
    if (everConnected) reconnections++;
    everConnected = true;
    options.onGap();
  }

  void connect();
  return {
    get connected() {
      return connected;
    },
    get heartbeatAgeMs() {
      return lastHeard === undefined ? null : Date.now() - lastHeard;
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      connected = false;
      await current?.end().catch(() => undefined);
    },
  };
}
