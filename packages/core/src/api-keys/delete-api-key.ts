import { forgetKeyLocally, type Principal, recordAudit } from "@keysmith/auth";
import { getDb, transactionTimeouts } from "@keysmith/db";

import { keyEvent } from "./key-event.ts";
import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";

/** Deletes one of the caller's keys; it stops authenticating at once, on every instance. */
export async function deleteApiKey({ principal, id, now = new Date() }: { principal: Principal; id: number; now?: Date }): Promise<void> {
  requireScope(principal, "keys:write");
  const row = await findOwnedKey({ principal, id });
  // the delete NOTIFYs every instance at commit (a database trigger); this one forgets it now
  await getDb().$transaction(async (tx) => {
    const { count } = await tx.apiKey.deleteMany({ where: { id: row.id, userId: principal.user.id } });
    // a concurrent delete already recorded it
    if (count > 0) await recordAudit(keyEvent(principal, "key.deleted", row, now), tx);
  }, transactionTimeouts());
  forgetKeyLocally(row.keyHash);
}
