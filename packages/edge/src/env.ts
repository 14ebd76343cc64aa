import { isIP } from "node:net";

/** What each app's server listens on, read in one place. */
export type PortVariable = "KEYSMITH_API_PORT" | "KEYSMITH_WEB_PORT";
export type HostVariable = "KEYSMITH_API_HOST" | "KEYSMITH_WEB_HOST";

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
    const host = process.env[variable]?.trim() || "0.0.0.0";
    if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
      throw new Error(`${variable} must be an IP address or a host name to listen on, like 127.0.0.1, not "${host}".`);
    }
    return host;
  },
  /** Development (Next's dev server, fast refresh) unless NODE_ENV is production, as `pnpm start` sets it. */
  development(): boolean {
    return process.env.NODE_ENV !== "production";
  },
};
