import { isDatabaseUnavailable } from "@keysmith/db";
import { databaseUnavailableError, KeysmithError } from "@keysmith/validators";

/**
 * A thrown value as the failure every surface answers with, or undefined for
 * a bug (logged, answered 500): a KeysmithError as it is, a database that is
 * down or stalled as DATABASE_UNAVAILABLE (503). REST and tRPC both ask here,
 * so they cannot answer the same failure differently.
 */
export function knownFailure(error: unknown): KeysmithError | undefined {
  if (error instanceof KeysmithError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailableError();
  return undefined;
}
