import { databaseTests } from "@keysmith/db/testing";
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { ...databaseTests } });
