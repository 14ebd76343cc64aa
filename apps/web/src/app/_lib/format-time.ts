/**
 * Dates as the page shows them. `stable` is the same on the server and in any
 * browser (UTC, fixed format): what the first render shows, so hydration
 * matches. The others use the viewer's time zone and clock, after mount.
 */
export function stable(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

const local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

export function localTime(iso: string): string {
  return local.format(new Date(iso));
}

/** For a title: the date, the time with seconds, and the time zone's name. */
export function fullLocalTime(iso: string): string {
  return full.format(new Date(iso));
}

/** The viewer's time zone, e.g. "Europe/Paris". */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// the page's words are English, so its relative times are too
const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "always" });

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// each unit rounded, used while its count stays below the next unit's size: 23 h 59 min is "in 1 day", 30 days "in 30 days"
const UNITS: [Intl.RelativeTimeFormatUnit, number, number][] = [
  ["minute", MINUTE, 60],
  ["hour", HOUR, 24],
  ["day", DAY, 45],
  ["month", 30 * DAY, 12],
  ["year", 365 * DAY, Infinity],
];

/** "in 3 days", "2 hours ago". */
export function relativeTime(iso: string, now: number): string {
  const diff = Date.parse(iso) - now;
  if (Math.abs(diff) < MINUTE) return diff > 0 ? "in less than a minute" : "just now";
  for (const [unit, size, below] of UNITS) {
    const count = Math.round(diff / size);
    if (Math.abs(count) < below) return relativeFormat.format(count, unit);
  }
  return relativeFormat.format(Math.round(diff / (365 * DAY)), "year");
}

/** The value of a datetime-local input for `iso`, in the viewer's time zone. */
export function toDateTimeLocal(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (no zone written) read in the viewer's time zone, as ISO; null if it is not a date. */
export function fromDateTimeLocal(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const hourStart = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
// a day of usage is a UTC day (the server's buckets): named as such, so a viewer west of UTC does not see it a day early
const utcDay = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** Where a usage point starts: "Tue 3 Mar, 14:00" (an hour, the viewer's zone) or "Tue 3 Mar 2027" (a UTC day). */
export function pointStart(iso: string, interval: "minute" | "hour" | "day"): string {
  return interval === "day" ? utcDay.format(new Date(iso)) : hourStart.format(new Date(iso));
}
