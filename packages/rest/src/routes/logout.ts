import { invalidateSession } from "@keysmith/auth";
import { KeysmithError } from "@keysmith/validators";

import { success } from "../envelope.ts";
import { type Route } from "../route.ts";

/** POST /logout: revokes the access token (or session) that makes the call. */
export const logoutRoute: Route = {
  method: "POST",
  path: "/logout",
  auth: true,
  // ending one's own session needs no particular scope; keys are refused below
  scope: "keys:read",
  async handle({ principal }) {
    if (principal.via === "key") {
      throw new KeysmithError("BAD_REQUEST", "An API key is not a session: delete or revoke the key to stop it working.");
    }
    await invalidateSession(principal.sessionId);
    return success({}, "Logout successful");
  },
};
