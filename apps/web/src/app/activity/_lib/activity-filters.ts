import { type AuditEventName, ZApiKeyIdParam, ZAuditEventName } from "@keysmith/validators";

import { type FromParams } from "~/app/_lib/use-url-params.ts";

/** Which events the Activity page shows, as the URL holds them (?event=&key_id=, as GET /audit-log names them). */
export interface ActivityFilters {
  event: AuditEventName | null;
  keyId: number | null;
}

export const NO_FILTERS: ActivityFilters = { event: null, keyId: null };

/** A value the log does not know is ignored, not an error. */
export const activityFiltersFromParams: FromParams<ActivityFilters> = (get) => {
  const event = ZAuditEventName.safeParse(get("event"));
  const keyId = ZApiKeyIdParam.safeParse(get("key_id"));
  return { event: event.success ? event.data : null, keyId: keyId.success ? keyId.data : null };
};

/** The query string for `filters`, empty when there are none, so /activity stays /activity. */
export function activityFiltersToSearch(filters: ActivityFilters): string {
  const params = new URLSearchParams();
  if (filters.event) params.set("event", filters.event);
  if (filters.keyId !== null) params.set("key_id", String(filters.keyId));
  const search = params.toString();
  return search ? `?${search}` : "";
}

/** Only the keys that are set, so the server's and the browser's query keys are equal. */
export function activityInput(filters: ActivityFilters) {
  return {
    ...(filters.event ? { event: filters.event } : {}),
    ...(filters.keyId !== null ? { key_id: filters.keyId } : {}),
  };
}
