import { isIP } from "node:net";

/** What each app's server listens on, read in one place. */
export type PortVariable = "KEYSMITH_API_PORT" | "KEYSMITH_WEB_PORT";
export type HostVariable = "KEYSMITH_API_HOST" | "KEYSMITH_WEB_HOST";
export type MetricsPortVariable = "KEYSMITH_API_METRICS_PORT" | "KEYSMITH_WEB_METRICS_PORT";

/** pino's levels, from the one that writes the most to the one that writes nothing. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function hostOf(variable: HostVariable | "KEYSMITH_METRICS_HOST", fallback: string): string {
  const host = process.env[variable]?.trim() || fallback;
  if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
    throw new Error(`${variable} must be an IP address or a host name to listen on, like 127.0.0.1, not "${host}".`);
  }
  return host;
}

export const serverEnv = {
  /**
   * The app's own variable, else PORT, else `fallback`: `pnpm start` runs both
   * apps at once, so each has a variable of its own, and PORT serves an app
   * started alone.
   */
  port(variable: PortVariable, fallback: number): number {
    const name = process.env[variable]?.trim() ? variable : "PORT";
    const raw = process.env[name]?.trim();
    if (!raw) return fallback;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`${name} must be a port number from 0 to 65535, not "${raw}".`);
    return port;
  },
  /** An IP address or a host name to listen on; 0.0.0.0 (every interface) by default. */
  host(variable: HostVariable): string {
    return hostOf(variable, "0.0.0.0");
  },
  /**
   * The port of the separate /metrics listener: the app's own variable, else
   * KEYSMITH_METRICS_PORT (`pnpm start` runs both apps, which cannot share
   * one); both unset or empty, there is none. 0 is refused: nobody could
   * know where to scrape.
   */
  metricsPort(variable: MetricsPortVariable): number | undefined {
    const name = process.env[variable]?.trim() ? variable : "KEYSMITH_METRICS_PORT";
    const raw = process.env[name]?.trim();
    if (!raw) return undefined;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
      throw new Error(`${name} must be a port number from 1 to 65535 (or unset, for no metrics listener), not "${raw}".`);
    }
    return port;
  },
  /** KEYSMITH_METRICS_HOST: where the /metrics listener listens; loopback by default, so only this machine can scrape it. */
  metricsHost(): string {
    return hostOf("KEYSMITH_METRICS_HOST", "127.0.0.1");
  },
  /** KEYSMITH_LOG_LEVEL: the least severe log line written; "info" (a line per request) by default. */
  logLevel(): LogLevel {
    const raw = process.env.KEYSMITH_LOG_LEVEL?.trim();
    if (!raw) return "info";
    const level = LOG_LEVELS.find((name) => name === raw.toLowerCase());
    if (!level) throw new Error(`KEYSMITH_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${raw}".`);
    return level;
  },
  /** Development (Next's dev server, fast refresh) unless NODE_ENV is production, as `pnpm start` sets it. */
  development(): boolean {
    return process.env.NODE_ENV !== "production";
  },
};
