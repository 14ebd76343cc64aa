import { type Principal } from "@keysmith/auth";

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
  handle(input: RouteInput & { principal: Principal }): Promise<Response>;
}

export type Route = PublicRoute | ProtectedRoute;
