/**
 * vitest setupFiles entry: gives this test file a database of its own, copied
 * from the migrated template, and drops it afterwards. DATABASE_URL is set
 * before any test module touches the lazily created client.
 */
import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, inject } from "vitest";

import { disconnectDb } from "../client.ts";
import { withDatabase } from "../connection-config.ts";
import { TEMPLATE_DATABASE } from "./global-setup.ts";

const serverUrl = inject("testServerUrl");
const database = `test_${randomBytes(6).toString("hex")}`;

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

await admin((client) => client.query(`CREATE DATABASE ${database} TEMPLATE ${TEMPLATE_DATABASE}`));
process.env.DATABASE_URL = withDatabase(serverUrl, database);

afterAll(async () => {
  await disconnectDb();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});
