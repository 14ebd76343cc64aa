import { type Logger, stdTimeFunctions, symbols } from "pino";

/** What the listener logs of every request: one line, at info, without its body, headers or query. */
export interface RequestLine {
  requestId: string;
  method: string | undefined;
  route: string;
  status: number;
  durationMs: number;
  clientAddress: string;
  /** The client went away before the whole answer was written. */
  aborted: boolean;
}

type PinoInternals = Record<symbol, unknown> & { levels: { values: Record<string, number> } };
type Stream = { write(line: string): void } & Record<symbol, unknown>;

const FIELDS = ["requestId", "method", "route", "status", "durationMs", "clientAddress", "aborted"];

/**
 * Whether `log` is a pino logger that would write a request line exactly as
 * the template below does: epoch `time`, `msg` as the message key, fields at
 * the top level, lines ending in "}\n", and nothing that rewrites a line
 * (mixins, hooks, a log formatter, serializers of these fields, redaction,
 * a message prefix, a multistream's metadata).
 */
function plainPino(log: Logger): boolean {
  const internals = log as unknown as PinoInternals;
  const stream = internals[symbols.streamSym] as Stream | undefined;
  const formatters = internals[symbols.formattersSym] as { level?: (label: string, n: number) => object; log?: unknown } | undefined;
  const hooks = internals[symbols.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const serializers = (internals[symbols.serializersSym] ?? {}) as Record<string, unknown>;
  // redaction lives in the stringifiers table (one entry per redacted path), not on redactFmtSym
  const stringifiers = (internals[symbols.stringifiersSym] ?? {}) as Record<string, unknown>;
  return (
    typeof stream?.write === "function" &&
    !stream[symbols.needsMetadataGsym] &&
    typeof internals[symbols.chindingsSym] === "string" &&
    internals[symbols.timeSym] === stdTimeFunctions.epochTime &&
    internals[symbols.messageKeySym] === "msg" &&
    !internals[symbols.nestedKeySym] &&
    internals[symbols.endSym] === "}\n" &&
    !internals[symbols.mixinSym] &&
    // not in pino's type declarations, but exported with the others
    !internals[(symbols as unknown as Record<string, symbol>).msgPrefixSym ?? Symbol("absent")] &&
    Object.keys(stringifiers).length === 0 &&
    !hooks?.logMethod &&
    !hooks?.streamWrite &&
    JSON.stringify(formatters?.level?.("info", 30)) === '{"level":30}' &&
    formatters?.log === undefined &&
    !FIELDS.some((field) => field in serializers)
  );
}

/**
 * The writer of request lines for `log`. pino's `info(object, msg)` walks the
 * object key by key: with the bookkeeping around it, about 7 µs of a cached
 * verification's 100 or so (`pnpm bench:profile`). A request line always has
 * the same fields, so for a plain pino logger it is written from a template
 * into the logger's own destination, after the logger's level check and with
 * its own bindings (pid, hostname): the same bytes pino would write. Any
 * other logger gets `info()`.
 */
export function requestLogWriter(log: Logger): (line: RequestLine) => void {
  if (!plainPino(log)) {
    return ({ aborted, ...fields }) => log.info({ ...fields, ...(aborted ? { aborted: true } : {}) }, "request");
  }
  const internals = log as unknown as PinoInternals;
  const stream = internals[symbols.streamSym] as Stream;
  const bindings = internals[symbols.chindingsSym] as string;
  const info = internals.levels.values.info ?? 30;
  return (line) => {
    // asked each time: the level can be changed while the process runs
    if (!log.isLevelEnabled("info")) return;
    stream.write(
      `{"level":${info},"time":${Date.now()}${bindings},"requestId":${JSON.stringify(line.requestId)},` +
        // pino leaves out a field whose value is undefined
        `${line.method === undefined ? "" : `"method":${JSON.stringify(line.method)},`}"route":${JSON.stringify(line.route)},"status":${line.status},"durationMs":${line.durationMs},"clientAddress":${JSON.stringify(line.clientAddress)}` +
        `${line.aborted ? ',"aborted":true' : ""},"msg":"request"}\n`,
    );
  };
}
