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
  /** Reads every setting once, so a wrong value stops start-up with its sentence rather than failing requests. */
  check(): void {
    this.trustedProxies();
    this.secureCookiesOverride();
  },
};
