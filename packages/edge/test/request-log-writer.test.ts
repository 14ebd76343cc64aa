import { pino } from "pino";
import { expect, test, vi } from "vitest";

import { type RequestLine, requestLogWriter } from "../src/request-log.ts";

/** A pino logger writing into an array, and its lines with the time (the only field that differs between two writes) blanked. */
function captured(options: pino.LoggerOptions = {}) {
  const lines: string[] = [];
  const log = pino({ level: "info", ...options }, { write: (line: string) => void lines.push(line) });
  return { log, lines: () => lines.map((line) => line.replace(/"time":\d+/, '"time":0')) };
}

const LINE: RequestLine = { requestId: 'id "quoted" \\ \u2028', method: "POST", route: "/api/v1/api-keys/verify", status: 200, durationMs: 1.25, clientAddress: "::ffff:127.0.0.1", aborted: false };

test("for a plain pino logger the request line is written without info() and is byte for byte what info() writes for the same fields, quotes and backslashes escaped, and aborted only when true", () => {
  const ours = captured();
  const theirs = captured();
  const info = vi.spyOn(ours.log, "info");
  const write = requestLogWriter(ours.log);
  write(LINE);
  write({ ...LINE, aborted: true, status: 499 });
  write({ ...LINE, method: undefined });
  const fields = { requestId: LINE.requestId, method: LINE.method, route: LINE.route, status: LINE.status, durationMs: LINE.durationMs, clientAddress: LINE.clientAddress };
  theirs.log.info(fields, "request");
  theirs.log.info({ ...fields, status: 499, aborted: true }, "request");
  theirs.log.info({ ...fields, method: undefined }, "request");
  expect(info).not.toHaveBeenCalled();
  expect(ours.lines()).toEqual(theirs.lines());
  expect(ours.lines()).toHaveLength(3);
});

test("no request line is written when the logger's level is above info, including after the level is raised at run time, and info() is not called for it", () => {
  const quiet = captured({ level: "warn" });
  const quietInfo = vi.spyOn(quiet.log, "info");
  requestLogWriter(quiet.log)(LINE);
  expect(quiet.lines()).toEqual([]);
  expect(quietInfo).not.toHaveBeenCalled();

  const raised = captured();
  const write = requestLogWriter(raised.log);
  write(LINE);
  raised.log.level = "error";
  write(LINE);
  expect(raised.lines()).toHaveLength(1);
});

test("a logger with a mixin goes through pino's info(), so the mixin's fields are in the line", () => {
  const mixed = captured({ mixin: () => ({ region: "eu" }) });
  const info = vi.spyOn(mixed.log, "info");
  requestLogWriter(mixed.log)(LINE);
  expect(info).toHaveBeenCalledTimes(1);
  expect(JSON.parse(mixed.lines()[0] ?? "{}")).toMatchObject({ region: "eu", msg: "request", route: "/api/v1/api-keys/verify" });
});

test("a logger that redacts a request field, or nests fields under a key, goes through pino's info(): the address is redacted, the fields nested", () => {
  const redacting = captured({ redact: ["clientAddress"] });
  requestLogWriter(redacting.log)(LINE);
  expect(JSON.parse(redacting.lines()[0] ?? "{}")).toMatchObject({ clientAddress: "[Redacted]", msg: "request" });

  const nesting = captured({ nestedKey: "request" });
  requestLogWriter(nesting.log)(LINE);
  expect(JSON.parse(nesting.lines()[0] ?? "{}")).toMatchObject({ request: { route: "/api/v1/api-keys/verify", status: 200 }, msg: "request" });
});
