/** Input limits, documented in the README ("Limits"). */
export const LIMITS = {
  username: { min: 3, max: 32 },
  email: { max: 254 },
  name: { min: 1, max: 128 },
  password: { min: 8, max: 256 },
  /** login accepts a username or an email */
  login: { max: 254 },
  apiKeyName: { min: 1, max: 64 },
  apiKeyDescription: { max: 500 },
  rateLimitPerMinute: { min: 1, max: 1_000_000 },
  /** A key's credits, and a refill's amount: within PostgreSQL's integer. */
  credits: { min: 0, max: 1_000_000_000 },
  /** What one verification may spend. */
  verifyCost: { min: 0, max: 1_000 },
  /** What lists show of a key: "ak_" and 4 characters, 24 bits of 224: never enough to use. */
  keyDisplayPrefix: { length: 7 },
} as const;
