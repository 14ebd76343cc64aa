import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import pg from "pg";
import { expect, inject, test } from "vitest";

import { withDatabase } from "../src/connection-config.ts";
import { applyMigrations } from "../src/lifecycle/index.ts";

const migrationDirs = readdirSync(fileURLToPath(new URL("../../../prisma/migrations", import.meta.url)), {
  withFileTypes: true,
}).filter((entry) => entry.isDirectory());

test("migrations apply on an empty database and create every table", async () => {
  const serverUrl = inject("testServerUrl");
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE empty_for_migrations");
  try {
    const url = withDatabase(serverUrl, "empty_for_migrations");
    await applyMigrations(url);
    // a second run finds nothing pending and changes nothing
    await applyMigrations(url);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public' order by tablename",
    );
    const applied = await client.query<{ migration_name: string }>(
      "select migration_name from _prisma_migrations where finished_at is not null",
    );
    await client.end();

    expect(tables.rows.map((row) => row.tablename)).toEqual(["_prisma_migrations", "api_keys", "audit_events", "key_usage_hours", "key_usage_minutes", "login_failures", "login_slow_turns", "login_successes", "rate_limit_windows", "sessions", "users"]);
    expect(applied.rows.map((row) => row.migration_name).sort()).toEqual(migrationDirs.map((dir) => dir.name).sort());
  } finally {
    await admin.query("DROP DATABASE IF EXISTS empty_for_migrations WITH (FORCE)");
    await admin.end();
  }
  // two runs of the Prisma CLI: seconds each on a loaded 2-core machine
}, 90_000);
