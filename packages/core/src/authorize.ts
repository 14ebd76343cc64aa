import { type Principal } from "@keysmith/auth";
import { KeysmithError } from "@keysmith/validators";

/**
 * The gate every protected tRPC procedure and REST route passes: a caller
 * is required (the resolver's reason, if it refused one), and a
 * cookie-authenticated change from another site is refused (CSRF).
 */
export function authorize(
  resolved: { principal: Principal | null; error?: KeysmithError | undefined },
  request: { mutation: boolean; crossSite: boolean },
): Principal {
  const { principal } = resolved;
  if (!principal) {
    throw resolved.error ?? new KeysmithError("UNAUTHORIZED", "Authentication required: log in, or send `Authorization: Bearer <token or ak_ key>`.");
  }
  if (principal.via === "cookie" && request.mutation && request.crossSite) {
    throw new KeysmithError("FORBIDDEN", "Cross-site requests cannot change anything with your session cookie.");
  }
  return principal;
}
