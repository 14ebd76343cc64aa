import pg from "pg";

import { describeUrl } from "../connection-config.ts";
import { DatabaseSetupError } from "./setup-error.ts";

/** What to tell a person for each way a connection fails. */
function explain(error: unknown, where: string): string {
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return `Nothing accepts connections at ${where}: start that PostgreSQL, fix DATABASE_URL, or unset DATABASE_URL to use the embedded database.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `The host in DATABASE_URL (${where}) cannot be resolved: fix DATABASE_URL, or unset it to use the embedded database.`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${where} refused the user name or password in DATABASE_URL: fix the credentials.`;
    case "3D000":
      return `The database in DATABASE_URL (${where}) does not exist: create it (createdb) or point DATABASE_URL at one that does.`;
    default: {
      const reason = error instanceof Error ? error.message : String(error);
      return `Cannot connect to PostgreSQL at ${where} (${reason}): check DATABASE_URL, or unset it to use the embedded database.`;
    }
  }
}

export async function checkConnection(url: string): Promise<void> {
  const where = describeUrl(url);
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  } catch (error) {
    throw new DatabaseSetupError(explain(error, where));
  }
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw new DatabaseSetupError(explain(error, where));
  } finally {
    await client.end().catch(() => undefined);
  }
}
