/**
 * The database URL, read on each call rather than at import: the test harness
 * and the dev wrapper set DATABASE_URL after modules load. Empty or unset
 * means "use the embedded PostgreSQL" (see lifecycle/env.ts).
 */
export const dbEnv = {
  databaseUrl(): string | undefined {
    const value = process.env.DATABASE_URL?.trim();
    return value ? value : undefined;
  },
  /** For a server that prepared its own database (apps/api): point every client at it. */
  useDatabaseUrl(url: string): void {
    process.env.DATABASE_URL = url;
  },
};
