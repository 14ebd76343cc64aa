export { dbEnv } from "./env.ts";
export { createPrismaClient, disconnectDb, getDb, onDisconnect } from "./client.ts";
export { isDatabaseUnavailable } from "./database-unavailable.ts";
export { subscribe, type Subscription } from "./notifications.ts";
export { getPool } from "./pool.ts";
export { checkDatabase, type DatabaseReadiness } from "./readiness.ts";
export { Prisma, PrismaClient } from "./generated/prisma/client.ts";
export type { ApiKey, Session, User } from "./generated/prisma/client.ts";
export { SessionKind } from "./generated/prisma/enums.ts";
