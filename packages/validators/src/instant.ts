import { z } from "zod";

/**
 * The instants Keysmith takes as input: from the Unix epoch to the end of the
 * year 9999, UTC. No key or usage lives outside them, and there JavaScript
 * and PostgreSQL stop agreeing on how a date is written (a six-digit year
 * "+010000-…"; PostgreSQL has no year 0): such a value failed deep in a query
 * or an answer, as a 500, instead of being refused up front.
 */
export const EARLIEST_INSTANT = "1970-01-01T00:00:00Z";
export const LATEST_INSTANT = "9999-12-31T23:59:59Z";
const earliest = Date.parse(EARLIEST_INSTANT);
const latest = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether an instant (milliseconds since the epoch) is within the bounds above. */
export function isStorableInstant(time: number): boolean {
  return time >= earliest && time <= latest;
}

/** An ISO 8601 date and time with its offset, as a Date within the bounds above; each message names `field`. */
export function instantField(field: string) {
  return z.iso
    .datetime({ offset: true, error: `${field} must be a date and time like 2027-01-31T12:00:00Z.` })
    .transform((value) => new Date(value))
    .refine((date) => date.getTime() >= earliest, `${field} must be no earlier than ${EARLIEST_INSTANT}.`)
    .refine((date) => date.getTime() <= latest, `${field} must be no later than ${LATEST_INSTANT}.`);
}
