/** Auth settings, read in one place. */
export const authEnv = {
  /** Cookies get `Secure` in production (plain-http localhost in development). */
  secureCookies(): boolean {
    return process.env.NODE_ENV === "production" || process.env.KEYSMITH_SECURE_COOKIES === "true";
  },
};
