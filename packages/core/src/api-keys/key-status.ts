import { type ApiKey, type Prisma } from "@keysmith/db";
import { EXPIRING_SOON_DAYS, type KeyStatus } from "@keysmith/validators";

type StatusFields = Pick<ApiKey, "expiresAt" | "revokedAt">;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where a key stands at `now`; `statusFilter` below selects exactly the keys this names. */
export function statusOf(key: StatusFields, now: Date): KeyStatus {
  const at = now.getTime();
  if (key.revokedAt && key.revokedAt.getTime() <= at) return "revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= at) return "expired";
  // only a roll schedules a revocation in the future (revoking sets it to now)
  if (key.revokedAt) return "rolling";
  if (key.expiresAt && key.expiresAt.getTime() <= at + EXPIRING_SOON_DAYS * DAY_MS) return "expiring";
  return "active";
}

/** The rows `statusOf` would name `status` at `now`, as a Prisma filter. */
export function statusFilter(status: KeyStatus, now: Date): Prisma.ApiKeyWhereInput {
  const soon = new Date(now.getTime() + EXPIRING_SOON_DAYS * DAY_MS);
  const notRevoked: Prisma.ApiKeyWhereInput = { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] };
  const notExpired: Prisma.ApiKeyWhereInput = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  switch (status) {
    case "revoked":
      return { revokedAt: { lte: now } };
    case "expired":
      return { AND: [notRevoked, { expiresAt: { lte: now } }] };
    case "rolling":
      return { AND: [{ revokedAt: { gt: now } }, notExpired] };
    case "expiring":
      return { revokedAt: null, expiresAt: { gt: now, lte: soon } };
    case "active":
      return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: soon } }] };
  }
}
