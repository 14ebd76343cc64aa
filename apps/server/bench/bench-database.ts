import { dbEnv, disconnectDb } from "@keysmith/db";
import { startScratchPostgres } from "@keysmith/db/lifecycle";

export interface BenchDatabase {
  /** A folder of the run's own: the database's data, and whatever else the script keeps there (CPU profiles). */
  folder: string;
  url: string;
  /** Closes this process's connections, stops the database and removes the folder. */
  stop(): Promise<void>;
}

/** An embedded PostgreSQL of the script's own, migrated and made this process's database. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const database = await startScratchPostgres("keysmith-bench-");
  dbEnv.useDatabaseUrl(database.url);
  return {
    folder: database.folder,
    url: database.url,
    async stop() {
      await disconnectDb();
      await database.remove();
    },
  };
}

/** autocannon requests verifying each of `keys` through POST /api/v1/api-keys/verify, the caller authenticated by `credential`. */
export function verifyRequests(credential: string, keys: readonly string[]) {
  return keys.map((key) => ({
    method: "POST" as const,
    path: "/api/v1/api-keys/verify",
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body: JSON.stringify({ key }),
  }));
}

/** An access token for the bench user (signed up as "bench", "bench password"), from POST /api/v1/login as a client gets one. */
export async function accessToken(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "bench", password: "bench password" }) });
  return ((await response.json()) as { data: { jwtToken: string } }).data.jwtToken;
}

/** autocannon requests creating a key through POST /api/v1/api-keys, the caller authenticated by `token`. */
export function createRequests(token: string) {
  return [{ method: "POST" as const, path: "/api/v1/api-keys", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "bench created" }) }];
}
