import { type KeyStatus } from "@keysmith/validators";

import { STATUS_LABELS } from "../_lib/status-labels.ts";

/** The key's state in words; the colour (a dot) only repeats them. */
export function StatusBadge({ status }: { status: KeyStatus }) {
  return (
    <span className={`key-status key-status-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
