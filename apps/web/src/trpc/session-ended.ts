import { isTRPCClientError } from "@trpc/client";

import type { AppRouter } from "@keysmith/api";

import { loginPath } from "~/components/login-path.ts";

/** A call refused for want of a signed-in caller: the session expired, was logged out elsewhere, or its row is gone. */
export function isUnauthorized(error: unknown): boolean {
  return isTRPCClientError<AppRouter>(error) && error.data?.code === "UNAUTHORIZED";
}

/** A refusal that the same call would get again (4xx): not worth a retry. */
export function isRefusal(error: unknown): boolean {
  const status = isTRPCClientError<AppRouter>(error) ? error.data?.httpStatus : undefined;
  return status !== undefined && status >= 400 && status < 500;
}

/**
 * The browser's answer to any tRPC call refused with UNAUTHORIZED: log in
 * again, then come back to this page. On the login and sign-up pages a 401 is
 * the form's own answer (a wrong password), which the form shows.
 */
export function sendToLoginIfUnauthorized(error: unknown): void {
  if (!isUnauthorized(error)) return;
  const { pathname, search } = window.location;
  if (pathname === "/login" || pathname === "/signup") return;
  // a full load: whatever the tab holds belonged to the session that ended
  window.location.assign(loginPath(`${pathname}${search}`));
}
