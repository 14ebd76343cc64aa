import { forgetKeyLocally, type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";

import { findOwnedKey } from "./owned-key.ts";
import { requireScope } from "./scopes.ts";

/** Deletes one of the caller's keys; it stops authenticating at once, on every instance. */
export async function deleteApiKey({ principal, id }: { principal: Principal; id: number }): Promise<void> {
  requireScope(principal, "keys:write");
  const row = await findOwnedKey({ principal, id });
  // the delete NOTIFYs every instance at commit (a database trigger); this one forgets it now
  await getDb().apiKey.deleteMany({ where: { id: row.id, userId: principal.user.id } });
  forgetKeyLocally(row.keyHash);
}
