import { defineConfig } from "vitest/config";

import { databaseTests } from "./src/testing/vitest-preset.ts";

export default defineConfig({ test: { ...databaseTests } });
