/** The web server's settings, read in one place. */
export const webEnv = {
  /** KEYSMITH_WEB_PORT, else PORT, else 3000: `pnpm start` runs both apps, so each has a variable of its own. */
  port(): number {
    const name = process.env.KEYSMITH_WEB_PORT?.trim() ? "KEYSMITH_WEB_PORT" : "PORT";
    const raw = process.env[name]?.trim();
    if (!raw) return 3000;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`${name} must be a port number from 0 to 65535, not "${raw}".`);
    return port;
  },
  /** `pnpm dev` (Next's dev server, fast refresh) unless NODE_ENV is production, as `pnpm start` sets it. */
  development(): boolean {
    return process.env.NODE_ENV !== "production";
  },
  host(): string {
    return process.env.KEYSMITH_WEB_HOST?.trim() || "0.0.0.0";
  },
};
