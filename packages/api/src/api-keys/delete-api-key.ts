import { getDb } from "@keysmith/db";
import { KeysmithError } from "@keysmith/validators";

/**
 * Deletes one of the owner's keys; it stops authenticating at once. Someone
 * else's key id gets the same answer as a missing one, so ids reveal nothing.
 */
export async function deleteApiKey(userId: number, id: number): Promise<void> {
  const { count } = await getDb().apiKey.deleteMany({ where: { id, userId } });
  if (count === 0) throw new KeysmithError("NOT_FOUND", `You have no API key with id ${id}.`);
}
