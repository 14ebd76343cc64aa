import { type Principal } from "@keysmith/auth";
import { type Scope } from "@keysmith/validators";

export interface RouteInput {
  request: Request;
  params: Record<string, string>;
  clientAddress: string;
  now: Date;
}

export interface PublicRoute {
  method: "GET" | "POST" | "DELETE";
  /** Relative to the base path; `:name` matches one segment. */
  path: string;
  auth: false;
  handle(input: RouteInput): Promise<Response>;
}

export interface ProtectedRoute {
  method: "GET" | "POST" | "DELETE";
  path: string;
  auth: true;
  /** What an API key needs to call this route (sessions and tokens may call all). */
  scope: Scope;
  handle(input: RouteInput & { principal: Principal }): Promise<Response>;
}

export type Route = PublicRoute | ProtectedRoute;
