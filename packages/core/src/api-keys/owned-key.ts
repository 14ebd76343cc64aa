import { type Principal } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { KeysmithError } from "@keysmith/validators";

/** The one answer for a key the caller does not own: another user's key id answers exactly like a missing one, so ids reveal nothing. */
export function noSuchKey(id: number): KeysmithError {
  return new KeysmithError("NOT_FOUND", `You have no API key with id ${id}.`);
}

/** One of the caller's keys, or NOT_FOUND. */
export async function findOwnedKey({ principal, id }: { principal: Principal; id: number }) {
  const row = await getDb().apiKey.findFirst({ where: { id, userId: principal.user.id } });
  if (!row) throw noSuchKey(id);
  return row;
}
