/**
 * vitest globalSetup: one real PostgreSQL per test run, in a temporary
 * folder on a free port, with a template database migrated once. Each test
 * file then gets its own copy of the template (see setup-file.ts).
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import type { TestProject } from "vitest/node";

import { withDatabase } from "../connection-config.ts";
import { applyMigrations, freePort, startEmbeddedPostgres } from "../lifecycle/index.ts";

export const TEMPLATE_DATABASE = "keysmith_template";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the test server's maintenance database (`postgres`). */
    testServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const folder = await mkdtemp(path.join(os.tmpdir(), "keysmith-test-pg-"));
  await chmod(folder, 0o755); // PostgreSQL runs as another user when we are root
  const server = await startEmbeddedPostgres({ dataDir: path.join(folder, "data"), port: await freePort(), quiet: true });
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
    await admin.end();
    await applyMigrations(withDatabase(server.url, TEMPLATE_DATABASE));
  } catch (error) {
    await server.stop();
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  project.provide("testServerUrl", server.url);

  return async () => {
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  };
}
