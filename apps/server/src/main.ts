/**
 * The lean server for machine traffic (REST and tRPC callers): bare Node
 * http and the shared edge listener, no Next.js. Uses DATABASE_URL, or starts
 * the embedded PostgreSQL like the web app when it is unset.
 */
import { createNodeListener, runServer } from "@keysmith/edge";

await runServer({
  name: "keysmith server",
  port: { variable: "KEYSMITH_API_PORT", fallback: 3001 },
  hostVariable: "KEYSMITH_API_HOST",
  metricsPortVariable: "KEYSMITH_API_METRICS_PORT",
  graceMs: 5_000,
  start: () => Promise.resolve({ listener: createNodeListener() }),
});
