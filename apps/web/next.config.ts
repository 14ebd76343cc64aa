import type { NextConfig } from "next";

const config: NextConfig = {
  // workspace packages export TypeScript source
  transpilePackages: ["@keysmith/api", "@keysmith/auth", "@keysmith/core", "@keysmith/db", "@keysmith/validators"],
  // the dashboard and the REST adapter answer on one origin; say nothing about the stack
  poweredByHeader: false,
};

export default config;
