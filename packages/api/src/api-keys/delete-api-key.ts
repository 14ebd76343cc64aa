import { forgetKeyLocally, notifyKeyChanged } from "@keysmith/auth";
import { getDb } from "@keysmith/db";

import { findOwnedKey } from "./owned-key.ts";

/** Deletes one of the owner's keys; it stops authenticating at once, on every instance. */
export async function deleteApiKey(userId: number, id: number): Promise<void> {
  const row = await findOwnedKey(userId, id);
  const db = getDb();
  await db.$transaction([db.apiKey.deleteMany({ where: { id: row.id, userId } }), notifyKeyChanged(row.keyHash)]);
  forgetKeyLocally(row.keyHash);
}
