import type { PoolConfig } from "pg";

/**
 * Splits a postgres:// URL into discrete pg settings. adapter-pg builds the
 * shadow database's pool as `{...config, database}`, and a connectionString
 * would win over that `database`, so the CLI adapter needs the parts.
 */
export function connectionConfig(url: string): PoolConfig {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname) || "localhost",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
  };
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** host:port/db without credentials: safe for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(an unparseable DATABASE_URL)";
  }
}
