import { SCOPES, ZFailedEnvelope } from "@keysmith/validators";
import { z } from "zod";

import { MAX_BODY_BYTES } from "./read-body.ts";
import { type Route, type RouteDoc } from "./route.ts";

/** A zod schema as a JSON Schema 2020-12 object (OpenAPI 3.1's dialect). */
function schemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  // transforms and preprocessors have no JSON Schema form: describe what is accepted or sent
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  // the document declares the dialect once (OpenAPI 3.1 is JSON Schema 2020-12)
  delete json.$schema;
  return json;
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);
const tooLarge = (bytes: number) =>
  `The request body is larger than ${sizeText(bytes)}. A body that ends within 8 MiB is read to its end first, so the connection stays usable; a larger one is cut off and the answer says \`Connection: close\`.`;

const REASONS: Record<number, string> = {
  400: "The request is not valid: the message says what to fix; `errors` names each failing field.",
  401: "Not authenticated: no credentials, or an invalid, expired or revoked token or key.",
  403: "Authenticated but not allowed: a key lacking the route's scope, or a deactivated account.",
  404: "No such API key among yours.",
  409: "The key's state does not allow this (for example rolling a revoked key).",
  413: tooLarge(MAX_BODY_BYTES),
  415: "The body is neither JSON nor form data.",
  429: "Too many requests: failed logins for the account or address, or a key over its rate limit. See `Retry-After`.",
};

function failed(status: number, doc: RouteDoc) {
  const example = doc.errorExamples?.[status];
  return {
    description: status === 413 && doc.maxBodyBytes ? tooLarge(doc.maxBodyBytes) : (REASONS[status] ?? "Failed."),
    content: {
      "application/json": {
        schema: { $ref: "#/components/schemas/FailedEnvelope" },
        ...(example ? { example: { data: null, message: example.message, status: "failed", ...(example.errors ? { errors: example.errors } : {}) } } : {}),
      },
    },
    ...(status === 429 ? { headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait." } } } : {}),
  };
}

/** The OpenAPI 3.1 document of every route `routes` holds, under `basePath`. */
export function openApiDocument(routes: readonly Route[], basePath: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = basePath + route.path.replace(/:(\w+)/g, "{$1}");
    const params = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      description: "The key's id.",
      schema: { type: "integer", minimum: 1 },
    }));
    const doc = route.doc;
    const query = Object.entries(doc.query?.shape ?? {}).map(([name, field]) => {
      // a query value arrives as text and is preprocessed: describe what it becomes
      const schema = field instanceof z.ZodPipe ? (field.def.out as z.ZodType) : (field as z.ZodType);
      // the example goes in the description, not `example`: Swagger UI's "Try it out" fills a parameter's box with
      // its example, and the first try of the key list then sent a made-up cursor (400) and filters nobody asked for
      const example = doc.queryExamples?.[name];
      const description = [schema.description, example === undefined ? undefined : `Example: \`${example}\`.`].filter(Boolean).join(" ");
      return {
        name,
        in: "query",
        required: false,
        ...(description ? { description } : {}),
        schema: schemaOf(schema, "input"),
      };
    });
    const body = doc.body
      ? {
          required: true,
          content: Object.fromEntries(
            (doc.jsonOnly ? ["application/json"] : ["application/json", "application/x-www-form-urlencoded"]).map((type) => [
              type,
              { schema: schemaOf(doc.body as z.ZodType, "input"), ...(doc.requestExample && type === "application/json" ? { example: doc.requestExample } : {}) },
            ]),
          ),
        }
      : undefined;
    const success = {
      description: doc.message,
      ...(doc.headers ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {}),
      content: {
        "application/json": {
          schema: doc.raw ? schemaOf(doc.data, "output") : {
            type: "object",
            required: ["data", "message", "status"],
            properties: {
              data: schemaOf(doc.data, "output"),
              message: doc.otherMessages ? { type: "string", enum: [doc.message, ...doc.otherMessages] } : { type: "string", const: doc.message },
              status: { type: "string", const: "success" },
            },
          },
          ...(doc.responseExample ? { example: doc.responseExample } : {}),
        },
      },
    };
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      ...(route.auth ? { security: [{ bearer: [] }, { session: [] }], "x-scope": route.scope } : { security: [] }),
      ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: {
        [String(doc.status)]: success,
        ...Object.fromEntries(documentedErrors(route).map((status) => [String(status), failed(status, doc)])),
        default: {
          description: "Unexpected error (500), or the database unavailable or too slow to answer (503, with `Retry-After`).",
          content: { "application/json": { schema: { $ref: "#/components/schemas/FailedEnvelope" } } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Keysmith REST API",
      version: "1.0.0",
      description:
        "Issue, list, revoke and verify API keys. Every response is `{data, message, status}`; errors are `{data: null, message, status: \"failed\"}`. " +
        `Keys are \`ak_\` + 43 URL-safe base64 characters. Scopes: ${SCOPES.join(", ")}. A wrong method on a known path answers 405 with \`Allow\`.`,
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An access token from POST /api/v1/login, or an API key (`ak_…`)." },
        session: { type: "apiKey", in: "cookie", name: "keysmith_session", description: "The dashboard's session cookie (same-origin requests)." },
      },
      schemas: { FailedEnvelope: schemaOf(ZFailedEnvelope, "output") },
    },
  };
}

/**
 * The failures a route documents: its own, and 413 for every route but a GET,
 * since one that takes no body still refuses one over 16 KiB (see the handler).
 */
export function documentedErrors(route: Route): number[] {
  const { errors } = route.doc;
  return route.method === "GET" || errors.includes(413) ? [...errors] : [...errors, 413].sort((a, b) => a - b);
}
