// The Prisma CLI's configuration lives with the package that owns its
// dependencies; see packages/db/src/prisma-cli-config.ts for why it is shaped so.
export { default } from "../packages/db/src/prisma-cli-config.ts";
