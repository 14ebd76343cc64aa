import { endSession } from "@keysmith/auth";
import { z } from "zod";

import { success } from "../envelope.ts";
import { type Route } from "../route.ts";

/** POST /logout: revokes the access token (or session) that makes the call. */
export const logoutRoute: Route = {
  method: "POST",
  path: "/logout",
  auth: true,
  // ending one's own session needs no particular scope; keys are refused below
  scope: "keys:read",
  doc: {
    summary: "Log out",
    description: "Revokes the access token (or session) that makes the call. API keys are not sessions: revoke or delete them instead.",
    data: z.object({}),
    status: 200,
    message: "Logout successful",
    errors: [400, 401, 403, 429],
    responseExample: { data: {}, message: "Logout successful", status: "success" },
  },
  async handle({ principal, now }) {
    await endSession(principal, now);
    return success({}, "Logout successful");
  },
};
