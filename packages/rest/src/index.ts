export { createRestHandler, type RequestInfo, routes, type RestHandlerOptions } from "./handler.ts";
export { openApiDocument } from "./openapi.ts";
export { MAX_BODY_BYTES } from "./read-body.ts";
