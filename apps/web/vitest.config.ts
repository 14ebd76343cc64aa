import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    // one browser and one app: run the files one after another
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
