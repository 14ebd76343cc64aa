import { type Principal } from "@keysmith/auth";
import { type Scope } from "@keysmith/validators";
import { type z } from "zod";

import { type RestAnswer } from "./answer.ts";
import { type RestRequest } from "./rest-request.ts";

export interface RouteInput {
  request: RestRequest;
  /** Where the API is mounted, e.g. "/api/v1". */
  basePath: string;
  params: Record<string, string>;
  clientAddress: string;
  now: Date;
}

/** What the OpenAPI document says of a route; it is generated from this. */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** Optional query parameters, each field of the object one parameter; `queryExamples` gives an example of each. */
  query?: z.ZodObject;
  queryExamples?: Record<string, string>;
  /** Response headers the success answer may carry, by name, with what they mean. */
  headers?: Record<string, string>;
  /**
   * The request body (JSON or form data), when the route takes one. A route
   * that reads a body must say so here: the handler reads (to 16 KiB) and
   * drops the body of a route without one, to refuse an oversized one (413).
   */
  body?: z.ZodType;
  /** The success envelope's `data`. */
  data: z.ZodType;
  status: 200 | 201 | 202;
  /** The largest body accepted, when not MAX_BODY_BYTES (16 KiB). */
  maxBodyBytes?: number;
  /** The body is JSON only (form data has no place for it). */
  jsonOnly?: true;
  /** The success message; `otherMessages` are the others the route can send with the same status. */
  message: string;
  otherMessages?: readonly string[];
  /** Every error status the route can answer (each is provoked by a test). */
  errors: number[];
  /** An example failed answer for some of those statuses: the message, and the field errors of a 400/403. */
  errorExamples?: Partial<Record<number, { message: string; errors?: Record<string, string[]> }>>;
  requestExample?: unknown;
  responseExample?: unknown;
  /** The response is `data` itself, not the envelope (the OpenAPI document). */
  raw?: true;
}

export interface PublicRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Relative to the base path; `:name` matches one segment. */
  path: string;
  auth: false;
  doc: RouteDoc;
  /** A promise, or the answer itself when it needs no waiting (the handler takes both). */
  handle(input: RouteInput): RestAnswer | Promise<RestAnswer>;
}

export interface ProtectedRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  auth: true;
  /** What an API key needs to call this route (sessions and tokens may call all). */
  scope: Scope;
  doc: RouteDoc;
  handle(input: RouteInput & { principal: Principal }): RestAnswer | Promise<RestAnswer>;
}

export type Route = PublicRoute | ProtectedRoute;
