/** The lean server's settings, read in one place. */
export const serverEnv = {
  /** KEYSMITH_API_PORT, else PORT, else 3001: `pnpm start` runs both apps, so each has a variable of its own. */
  port(): number {
    const name = process.env.KEYSMITH_API_PORT?.trim() ? "KEYSMITH_API_PORT" : "PORT";
    const raw = process.env[name]?.trim();
    if (!raw) return 3001;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`${name} must be a port number from 0 to 65535, not "${raw}".`);
    return port;
  },
  host(): string {
    return process.env.KEYSMITH_API_HOST?.trim() || "0.0.0.0";
  },
};
