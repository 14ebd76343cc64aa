export { createApiHandler, type EdgeInfo } from "./api-handler.ts";
export { batchedStdout } from "./batched-stdout.ts";
export { createNodeListener, type PageHost, type RequestFacts } from "./node-listener.ts";
export { edgeSecurityHeaders, pageContentSecurityPolicy } from "./security-headers.ts";
export { MAX_BATCH_SIZE } from "./trpc-handler.ts";
export { serverEnv } from "./env.ts";
export { runServer, type ServerApp } from "./run-server.ts";
