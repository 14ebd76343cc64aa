/** Starts the app for the test files (see app-server.ts); turbo builds the app before this task. */
import type { TestProject } from "vitest/node";

import { startApp } from "./app-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** The app's database, for tests that must look at or change what the app stored. */
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const app = await startApp();
  project.provide("baseUrl", app.baseUrl);
  project.provide("databaseUrl", app.databaseUrl);
  return () => app.stop();
}
