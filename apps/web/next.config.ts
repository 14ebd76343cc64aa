import type { NextConfig } from "next";

const config: NextConfig = {
  // workspace packages export TypeScript source
  transpilePackages: ["@keysmith/api", "@keysmith/auth", "@keysmith/core", "@keysmith/db", "@keysmith/validators"],
  // the dashboard and the REST adapter answer on one origin; say nothing about the stack
  poweredByHeader: false,
  // a second build folder lets two checkouts' worth of work build and test side by side (the default is .next)
  distDir: process.env.KEYSMITH_NEXT_DIST_DIR ?? ".next",
  // CI has just run `tsc --noEmit` over every package: checking the app again inside `next build` cost it ~25 s idle, more under load
  typescript: { ignoreBuildErrors: process.env.KEYSMITH_BUILD_TYPES_CHECKED === "1" },
};

export default config;
