import { databaseTests } from "@keysmith/db/testing";
import { defineConfig } from "vitest/config";

// listeners made by tests would write a log line per request into the test output; the tests that read the log make their own
export default defineConfig({ test: { ...databaseTests, env: { KEYSMITH_LOG_LEVEL: "silent" } } });
