"use client";

import { fullLocalTime, localTime, relativeTime, stable } from "../_lib/format-time.ts";
import { useNow } from "../_lib/use-now.ts";

/**
 * A moment, shown in the viewer's time zone ("absolute"), relative to now
 * ("relative": "2 hours ago"), or both. Until hydrated it shows UTC, which the
 * server can render too, so the two renders match.
 */
export function When({ iso, show = "absolute", fallback = "never" }: { iso: string | null; show?: "absolute" | "relative" | "both"; fallback?: string }) {
  const now = useNow();
  if (!iso) return <>{fallback}</>;
  if (now === null) return <time dateTime={iso}>{stable(iso)}</time>;
  const text = show === "absolute" ? localTime(iso) : show === "relative" ? relativeTime(iso, now) : `${localTime(iso)} (${relativeTime(iso, now)})`;
  return (
    <time dateTime={iso} title={fullLocalTime(iso)}>
      {text}
    </time>
  );
}
