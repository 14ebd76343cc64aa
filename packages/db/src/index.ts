export { createPrismaClient, disconnectDb, getDb } from "./client.ts";
export { Prisma, PrismaClient } from "./generated/prisma/client.ts";
export type { ApiKey, Session, User } from "./generated/prisma/client.ts";
export { SessionKind } from "./generated/prisma/enums.ts";
