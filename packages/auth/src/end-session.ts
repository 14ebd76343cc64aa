import { KeysmithError } from "@keysmith/validators";

import { auditedBy } from "./audit/principal-actor.ts";
import { recordAudit } from "./audit/record-audit.ts";
import { type Principal } from "./resolve-principal.ts";
import { invalidateSession } from "./sessions.ts";

/** Logout: ends the calling session or access token. A key is not a session. */
export async function endSession(principal: Principal, now = new Date()): Promise<void> {
  if (principal.via === "key") {
    throw new KeysmithError("BAD_REQUEST", "An API key is not a session: delete or revoke the key to stop it working.");
  }
  await invalidateSession(principal.sessionId);
  await recordAudit({ event: "session.logged_out", at: now, ...auditedBy(principal) });
}
