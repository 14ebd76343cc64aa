/** Auth settings, read in one place. */
export const authEnv = {
  production(): boolean {
    return process.env.NODE_ENV === "production";
  },
  /** KEYSMITH_SECURE_COOKIES=true|false overrides the per-request decision. */
  secureCookiesOverride(): boolean | undefined {
    const value = process.env.KEYSMITH_SECURE_COOKIES?.trim().toLowerCase();
    return value === "true" ? true : value === "false" ? false : undefined;
  },
};
