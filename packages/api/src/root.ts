import { apiKeysRouter } from "./router/api-keys.ts";
import { auditLogRouter } from "./router/audit-log.ts";
import { authRouter } from "./router/auth.ts";
import { healthRouter } from "./router/health.ts";
import { createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  apiKeys: apiKeysRouter,
  auditLog: auditLogRouter,
  auth: authRouter,
  health: healthRouter,
});

export type AppRouter = typeof appRouter;
