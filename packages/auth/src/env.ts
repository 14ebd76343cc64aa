import { TrustedProxies } from "./client-address.ts";

let trusted: { value: string | undefined; parsed: TrustedProxies } | undefined;

/** Auth settings, read in one place. */
export const authEnv = {
  /** KEYSMITH_TRUSTED_PROXIES: whose X-Forwarded-For to believe (see client-address.ts); none by default. */
  trustedProxies(): TrustedProxies {
    const value = process.env.KEYSMITH_TRUSTED_PROXIES;
    if (trusted && trusted.value === value) return trusted.parsed;
    const parsed = TrustedProxies.parse(value);
    trusted = { value, parsed };
    return parsed;
  },
  production(): boolean {
    return process.env.NODE_ENV === "production";
  },
  /** KEYSMITH_SECURE_COOKIES=true|false overrides the per-request decision; unset or empty leaves it. */
  secureCookiesOverride(): boolean | undefined {
    const value = process.env.KEYSMITH_SECURE_COOKIES?.trim().toLowerCase();
    if (!value) return undefined;
    if (value !== "true" && value !== "false") throw new Error(`KEYSMITH_SECURE_COOKIES must be true or false, not "${value}".`);
    return value === "true";
  },
  /** KEYSMITH_USAGE_FLUSH_MS: how often each instance adds its verification counts to the database; 5 s by default. */
  usageFlushMs(): number {
    const value = process.env.KEYSMITH_USAGE_FLUSH_MS?.trim();
    if (!value) return 5_000;
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000) {
      throw new Error(`KEYSMITH_USAGE_FLUSH_MS must be a whole number of milliseconds from 100 to 3600000, not "${value}".`);
    }
    return ms;
  },
  /** Reads every setting once, so a wrong value stops start-up with its sentence rather than failing requests. */
  check(): void {
    this.trustedProxies();
    this.secureCookiesOverride();
    this.usageFlushMs();
  },
};
