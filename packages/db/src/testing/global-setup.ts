/**
 * vitest globalSetup: one real PostgreSQL per test run, in a temporary
 * folder on a free port, with a template database migrated once. Each test
 * file then gets its own copy of the template (see setup-file.ts).
 */

import pg from "pg";
import type { TestProject } from "vitest/node";

import { withDatabase } from "../connection-config.ts";
import { applyMigrations, startScratchPostgres } from "../lifecycle/index.ts";

export const TEMPLATE_DATABASE = "keysmith_template";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the test server's maintenance database (`postgres`). */
    testServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // migrated below into a template database, not its default one
  const server = await startScratchPostgres("keysmith-test-pg-", { migrate: false });
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
    await admin.end();
    await applyMigrations(withDatabase(server.url, TEMPLATE_DATABASE));
  } catch (error) {
    await server.remove();
    throw error;
  }
  project.provide("testServerUrl", server.url);

  return () => server.remove();
}
