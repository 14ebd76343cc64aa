export { badPercentEncoding, createRestCore, createRestHandler, type RequestInfo, type RestCore, routePattern, routes, type RestHandlerOptions } from "./handler.ts";
export { type RestAnswer, toResponse, withoutBody } from "./answer.ts";
export { failure } from "./envelope.ts";
export { logUnexpectedError, sendUnexpectedErrorsTo } from "./log.ts";
export { documentedErrors, openApiDocument } from "./openapi.ts";
export { DRAIN_BYTES, DRAIN_MS, encodingRefusal, MAX_BODY_BYTES, readLimitedBytes, tooLarge } from "./read-body.ts";
export { type RestRequest } from "./rest-request.ts";
