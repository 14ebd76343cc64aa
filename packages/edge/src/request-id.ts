import { randomUUID } from "node:crypto";

/**
 * What an incoming X-Request-Id may be to be kept: short, and of characters
 * that are safe in a header, a log line and a URL. A proxy or a client that
 * sent one can then find this request in our logs under its own id.
 */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the client's X-Request-Id when it is acceptable, else a fresh UUID (repeated headers arrive joined by ", ", and are not). */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === "string" && ACCEPTED.test(incoming) ? incoming : randomUUID();
}
