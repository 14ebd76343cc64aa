/**
 * Database settings, read on each call rather than at import: the test
 * harness and the dev wrapper set DATABASE_URL after modules load. Empty or
 * unset DATABASE_URL means "use the embedded PostgreSQL" (see lifecycle/env.ts).
 */
function milliseconds(name: string, fallback: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 100 || value > max) {
    throw new Error(`${name} must be a whole number of milliseconds from 100 to ${max}, not "${raw}".`);
  }
  return value;
}

export const dbEnv = {
  databaseUrl(): string | undefined {
    const value = process.env.DATABASE_URL?.trim();
    return value ? value : undefined;
  },
  /** For a server that prepared its own database (apps/server): point every client at it. */
  useDatabaseUrl(url: string): void {
    process.env.DATABASE_URL = url;
  },
  /** KEYSMITH_DB_CONNECT_TIMEOUT_MS: how long opening a connection may take before the call fails (503). */
  connectTimeoutMs(): number {
    return milliseconds("KEYSMITH_DB_CONNECT_TIMEOUT_MS", 3_000, 60_000);
  },
  /**
   * KEYSMITH_DB_STATEMENT_TIMEOUT_MS: how long one statement may take. Enforced
   * twice: by PostgreSQL (statement_timeout) and, a little later, by the
   * client, which gives up even when the server has stopped answering
   * altogether (see poolConfig).
   */
  statementTimeoutMs(): number {
    return milliseconds("KEYSMITH_DB_STATEMENT_TIMEOUT_MS", 5_000, 600_000);
  },
  /**
   * KEYSMITH_LISTEN_HEARTBEAT_MS: how often each instance's LISTEN connection
   * checks itself; silent for three of these, it is replaced and the key cache
   * is bypassed meanwhile.
   */
  listenHeartbeatMs(): number {
    return milliseconds("KEYSMITH_LISTEN_HEARTBEAT_MS", 1_000, 60_000);
  },
  /** Reads every setting once, so a wrong value stops start-up with its message. */
  check(): void {
    this.connectTimeoutMs();
    this.statementTimeoutMs();
    this.listenHeartbeatMs();
  },
};
