import { z } from "zod";

/**
 * Where a key stands, one word each, decided in this order: revoked (its
 * revocation time has passed), expired, rolling (rolled, the old key still in
 * its grace), expiring (expires within EXPIRING_SOON_DAYS), active.
 */
export const KEY_STATUSES = ["active", "expiring", "rolling", "expired", "revoked"] as const;
export const ZKeyStatus = z.enum(KEY_STATUSES, { error: `status must be one of ${KEY_STATUSES.join(", ")}.` });
export type KeyStatus = z.infer<typeof ZKeyStatus>;

/** A key expiring within this many days is "expiring". */
export const EXPIRING_SOON_DAYS = 7;
