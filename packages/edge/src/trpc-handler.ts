import { appRouter, createRequestContext, procedureScope } from "@keysmith/api";
import { KeysmithError } from "@keysmith/validators";
import { encodingRefusal, logUnexpectedError, readLimitedBytes } from "@keysmith/rest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

/** Calls per batched request; the dashboard's links batch a handful. */
export const MAX_BATCH_SIZE = 10;

/** apiKeys.import takes up to 1,000 keys of a few hundred bytes each: its body may be as large as REST's import route takes. */
export const IMPORT_MAX_BYTES = 1024 * 1024;

/** The body limit of a call: IMPORT_MAX_BYTES when it calls apiKeys.import alone (batched with itself only), else the default. */
function bodyLimit(url: string): number | undefined {
  const path = new URL(url).pathname;
  const procedures = path.slice(path.lastIndexOf("/") + 1).split(",");
  return procedures.every((procedure) => procedure === "apiKeys.import") ? IMPORT_MAX_BYTES : undefined;
}

/** A body refused before tRPC runs (too large, or compressed), shaped like tRPC's own errors so typed clients read it. */
function refusedBody(error: KeysmithError, code: "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE", status: 413 | 415): Response {
  const body = { error: { message: error.message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status, fieldErrors: null } } };
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  // the rest of the body was never read: the connection cannot carry another request
  if (error.details.closeConnection) headers.connection = "close";
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The tRPC endpoint (/api/trpc) with the same failure policy as REST: bodies
 * capped at 16 KiB (413; 1 MiB for apiKeys.import alone), batches at
 * MAX_BATCH_SIZE calls, unexpected errors logged (never a body) and masked, a
 * database outage answered 503, and `Retry-After` on 429 and 503. No response
 * is cacheable (some carry keys).
 */
export function createTrpcHandler() {
  return async function trpc(request: Request, info: { clientAddress: string }): Promise<Response> {
    let req = request;
    if (request.method !== "GET" && request.method !== "HEAD") {
      let body: Uint8Array<ArrayBuffer>;
      try {
        body = await readLimitedBytes(request, bodyLimit(request.url));
      } catch (error) {
        if (error instanceof KeysmithError && error.code === "PAYLOAD_TOO_LARGE") return refusedBody(error, "PAYLOAD_TOO_LARGE", 413);
        throw error;
      }
      const compressed = body.byteLength > 0 ? encodingRefusal(request.headers.get("content-encoding")) : undefined;
      if (compressed) return refusedBody(compressed, "UNSUPPORTED_MEDIA_TYPE", 415);
      req = new Request(request.url, { method: request.method, headers: request.headers, body });
    }
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router: appRouter,
      req,
      maxBatchSize: MAX_BATCH_SIZE,
      createContext: ({ resHeaders, info: trpcInfo }) => {
        // the calls' scope, if they share one, is checked as a Bearer key is verified: a refused key pays nothing
        const scope = procedureScope(trpcInfo.calls.map((call) => call.procedure));
        return createRequestContext({ headers: req.headers, url: req.url, clientAddress: info.clientAddress, resHeaders, ...(scope ? { scope } : {}) });
      },
      onError({ error, path }) {
        if (error.code === "INTERNAL_SERVER_ERROR" && !(error.cause instanceof KeysmithError)) {
          logUnexpectedError("trpc", `${req.method} ${path ?? "(no procedure)"}`, error.cause ?? error, req.headers.get("x-request-id"));
        }
      },
      responseMeta({ errors }) {
        const headers = new Headers({ "cache-control": "no-store" });
        const wait = Math.max(0, ...errors.map((error) => (error.cause instanceof KeysmithError ? (error.cause.details.retryAfterSeconds ?? 0) : 0)));
        if (wait > 0) headers.set("retry-after", String(wait));
        return { headers };
      },
    });
    // errors found before any procedure runs (a bad path, a mixed or oversized batch) come without a type, as text/plain; they are JSON
    const type = response.headers.get("content-type");
    if (type === null || type.startsWith("text/plain")) response.headers.set("content-type", "application/json");
    return response;
  };
}
