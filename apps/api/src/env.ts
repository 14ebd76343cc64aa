/** The lean server's settings, read in one place. */
export const serverEnv = {
  port(): number {
    const raw = process.env.PORT?.trim() || process.env.KEYSMITH_API_PORT?.trim();
    if (!raw) return 3001;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${raw}".`);
    return port;
  },
  host(): string {
    return process.env.KEYSMITH_API_HOST?.trim() || "0.0.0.0";
  },
};
