export { createRestHandler, type RequestInfo, routes, type RestHandlerOptions } from "./handler.ts";
export { failure } from "./envelope.ts";
export { logUnexpectedError, sendUnexpectedErrorsTo } from "./log.ts";
export { openApiDocument } from "./openapi.ts";
export { MAX_BODY_BYTES, readLimitedBytes } from "./read-body.ts";
