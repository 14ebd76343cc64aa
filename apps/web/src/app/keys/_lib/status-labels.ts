import { type KeySort, type KeyStatus } from "@keysmith/validators";

export const STATUS_LABELS: Record<KeyStatus, string> = {
  active: "Active",
  expiring: "Expiring soon",
  rolling: "Rolling",
  expired: "Expired",
  revoked: "Revoked",
};

export const SORT_LABELS: Record<KeySort, string> = {
  newest: "Newest first",
  oldest: "Oldest first",
  last_used: "Recently used",
};

/** "No … keys": each status as the empty list names it. */
export const STATUS_PHRASES: Record<KeyStatus, string> = {
  active: "active keys",
  expiring: "keys expiring soon",
  rolling: "rolling keys",
  expired: "expired keys",
  revoked: "revoked keys",
};
