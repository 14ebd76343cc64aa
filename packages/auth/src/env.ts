import { TrustedProxies } from "./client-address.ts";

/** A whole number from `min` to `max` in `name`, or `fallback` when it is unset or empty. */
function wholeNumber(name: string, fallback: number, min: number, max: number, unit: string): number {
  const value = process.env[name]?.trim();
  if (!value) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new Error(`${name} must be a whole number of ${unit} from ${min} to ${max}, not "${value}".`);
  }
  return number;
}

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
    return wholeNumber("KEYSMITH_USAGE_FLUSH_MS", 5_000, 100, 3_600_000, "milliseconds");
  },
  /** KEYSMITH_USAGE_COUNTS=on|off: whether verifications are counted for usage analytics (last used is kept either way); on by default. */
  usageCounting(): boolean {
    const value = process.env.KEYSMITH_USAGE_COUNTS?.trim().toLowerCase();
    if (!value) return true;
    if (value !== "on" && value !== "off") throw new Error(`KEYSMITH_USAGE_COUNTS must be on or off, not "${value}".`);
    return value === "on";
  },
  /** KEYSMITH_USAGE_MINUTE_DAYS: how long counts stay per minute before the rollup sums them per hour; 3 days by default. */
  usageMinuteDays(): number {
    return wholeNumber("KEYSMITH_USAGE_MINUTE_DAYS", 3, 1, 90, "days");
  },
  /** KEYSMITH_USAGE_HOUR_DAYS: how long hourly counts are kept; 400 days (13 months) by default, never less than the minutes. */
  usageHourDays(): number {
    const days = wholeNumber("KEYSMITH_USAGE_HOUR_DAYS", 400, 1, 3_650, "days");
    const minuteDays = this.usageMinuteDays();
    if (days < minuteDays) {
      throw new Error(`KEYSMITH_USAGE_HOUR_DAYS (${days}) must be at least KEYSMITH_USAGE_MINUTE_DAYS (${minuteDays}): hours are made from the minutes.`);
    }
    return days;
  },
  /** KEYSMITH_RATE_SYNC_MS: how often each instance adds the verifications it admitted to the shared rate-limit counts; 250 ms by default. */
  rateSyncMs(): number {
    return wholeNumber("KEYSMITH_RATE_SYNC_MS", 250, 10, 60_000, "milliseconds");
  },
  /** KEYSMITH_SESSION_CACHE_SIZE: access tokens and web sessions each instance keeps resolved in memory; 10,000 by default, 0 turns the cache off. */
  sessionCacheSize(): number {
    return wholeNumber("KEYSMITH_SESSION_CACHE_SIZE", 10_000, 0, 10_000_000, "sessions");
  },
  /** KEYSMITH_KEY_CACHE_SIZE: keys each instance keeps verified in memory (and as many "no such key" answers, and key owners); 10,000 by default. */
  keyCacheSize(): number {
    return wholeNumber("KEYSMITH_KEY_CACHE_SIZE", 10_000, 1, 10_000_000, "keys");
  },
  /** KEYSMITH_AUDIT_DAYS: how long audit events are kept; 365 days by default. */
  auditDays(): number {
    return wholeNumber("KEYSMITH_AUDIT_DAYS", 365, 1, 3_650, "days");
  },
  /**
   * KEYSMITH_GITHUB_SCANNING_KEYS: a file holding GitHub's secret-scanning
   * public keys, as https://api.github.com/meta/public_keys/secret_scanning
   * answers them; unset: POST /secret-scanning/github refuses every call.
   */
  githubScanningKeysFile(): string | undefined {
    return process.env.KEYSMITH_GITHUB_SCANNING_KEYS?.trim() || undefined;
  },
  /** Reads every setting once, so a wrong value stops start-up with its sentence rather than failing requests. */
  check(): void {
    this.trustedProxies();
    this.secureCookiesOverride();
    this.usageFlushMs();
    this.usageCounting();
    this.usageHourDays();
    this.auditDays();
    this.rateSyncMs();
    this.sessionCacheSize();
    this.keyCacheSize();
  },
};
