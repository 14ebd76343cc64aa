import { type Principal } from "@keysmith/auth";
import { getDb, type Prisma } from "@keysmith/db";
import { KeysmithError } from "@keysmith/validators";

/**
 * One of the caller's keys, or NOT_FOUND. Another user's key id answers
 * exactly like a missing one, so ids reveal nothing.
 */
export async function findOwnedKey<Include extends Prisma.ApiKeyInclude = Record<never, never>>({
  principal,
  id,
  include,
}: {
  principal: Principal;
  id: number;
  include?: Include;
}): Promise<Prisma.ApiKeyGetPayload<{ include: Include }>> {
  const row = await getDb().apiKey.findFirst({ where: { id, userId: principal.user.id }, include: include ?? ({} as Include) });
  if (!row) throw new KeysmithError("NOT_FOUND", `You have no API key with id ${id}.`);
  return row as Prisma.ApiKeyGetPayload<{ include: Include }>;
}
