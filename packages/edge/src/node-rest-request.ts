import { type IncomingMessage, type IncomingHttpHeaders } from "node:http";

import { DRAIN_BYTES, DRAIN_MS, type RestRequest, tooLarge } from "@keysmith/rest";
import { KeysmithError } from "@keysmith/validators";

// Classes and inline callbacks rather than closures made per request: the server runs under tsx, whose
// keepNames gives every named function expression a defineProperty call each time it is created.

/** A header of Node's parsed headers, as a fetch `Headers` reads it (repeated ones joined with ", "); null when absent. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Node's parsed headers, read as a fetch `Headers` reads them. */
class NodeHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(name: string): string | null {
    return headerValue(this.headers, name);
  }
}

/**
 * The REST handler's view of a Node request: headers read straight from
 * `req.headers` and the body from the stream, with read-body.ts's rules
 * (413 past the limit; a client still sending up to DRAIN_BYTES more gets
 * to finish and read the answer, a larger body is cut off), and no fetch
 * `Request`, `Headers` or web stream on the way.
 */
export class NodeRestRequest implements RestRequest {
  readonly method: string;
  readonly headers: NodeHeaders;

  constructor(
    private readonly req: IncomingMessage,
    readonly url: string,
    readonly pathname: string,
  ) {
    this.method = req.method ?? "GET";
    this.headers = new NodeHeaders(req.headers);
  }

  bytes(maxBytes: number): Uint8Array | Promise<Uint8Array> {
    return readNodeBody(this.req, maxBytes);
  }
}

/** Reads and drops the rest of a body, within `budget` bytes and DRAIN_MS; true when it ended. */
function drain(req: IncomingMessage, budget: number): Promise<boolean> {
  if (budget < 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    let left = budget;
    let settled = false;
    const timer = setTimeout(() => finish(false), DRAIN_MS);
    function finish(ended: boolean) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // what is left unread stays on a connection the answer closes (Connection: close)
      if (!ended) req.pause();
      resolve(ended);
    }
    req.on("data", (chunk: Buffer) => {
      left -= chunk.byteLength;
      if (left < 0) finish(false);
    });
    req.on("end", () => finish(true));
    req.on("close", () => finish(req.complete));
  });
}

/** What a paused request holds, all of it (read() with no size empties the buffer). */
function takeBuffered(req: IncomingMessage): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * The body's bytes, refusing (413) more than `maxBytes`: as soon as
 * Content-Length or the stream passes it. A value when the whole body is
 * already buffered, else a promise.
 */
export function readNodeBody(req: IncomingMessage, maxBytes: number): Uint8Array | Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    return drain(req, declared <= DRAIN_BYTES ? declared : -1).then((ended) => Promise.reject(tooLarge(maxBytes, ended)));
  }
  const whole = bufferedBody(req, declared);
  if (whole !== undefined) return withinLimit(whole, maxBytes);
  // Asked in the request event itself (a warm caller is resolved without waiting), the body has not been
  // handed over yet: the parser passes it on right after, and runs the microtasks queued meanwhile once it
  // has. So one microtask later a body that came in the same packet is in the buffer, taken whole; if not
  // (a larger or slower body), it is read as it comes.
  if (req.readableLength === 0 && !req.complete) {
    return Promise.resolve().then(() => {
      const later = bufferedBody(req, declared);
      return later === undefined ? streamedBody(req, maxBytes) : withinLimit(later, maxBytes);
    });
  }
  return streamedBody(req, maxBytes);
}

/** A body read whole (it ended: the connection stays usable), refused (413) past `maxBytes`. */
function withinLimit(whole: Uint8Array, maxBytes: number): Uint8Array {
  if (whole.byteLength > maxBytes) throw tooLarge(maxBytes, true);
  return whole;
}

/**
 * The whole body when it is already buffered, taken at once (a third of the edge's own time per cached
 * verification went to the evented read); undefined when it has yet to come in whole.
 */
function bufferedBody(req: IncomingMessage, declared: number): Uint8Array | undefined {
  // read already (the handler asks once): nothing more will come
  if (req.readableEnded) return new Uint8Array();
  // The usual case: the whole request came in one packet, so the parser had buffered all of it before
  // the handler asked. The parser has often not yet said the message is complete when the handler asks (it
  // runs between the body and the message's end), but a buffer holding every byte Content-Length declared
  // is the whole body: nothing more can belong to it. (A chunked body has no Content-Length; Node's parser
  // refuses a request with both unless run insecure.)
  const buffered = req.readableLength;
  const wholeBuffered = buffered > 0 && buffered === declared && req.headers["content-length"] !== undefined && req.headers["transfer-encoding"] === undefined;
  if (!req.complete && !wholeBuffered) return undefined;
  const complete = req.complete;
  const whole = takeBuffered(req);
  // the stream's end is still to come: reading on lets it arrive, so "end" and "close" fire and the request is let go
  if (!complete) req.resume();
  return whole;
}

/** The body read as it comes in, chunk by chunk. */
function streamedBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // past the limit, drain() takes over the stream and settles the answer
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.byteLength;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      over = true;
      drain(req, DRAIN_BYTES - size).then((ended) => reject(tooLarge(maxBytes, ended)), reject);
    });
    let bodyEnded = false;
    req.on("end", () => {
      bodyEnded = true;
      if (!over) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    // the client went away (or the parser gave up) before the body ended; the error (and its stack) is
    // made only then: "close" also follows every "end"
    req.on("close", () => {
      if (!over && !bodyEnded) reject(new KeysmithError("BAD_REQUEST", "The request body ended before it was complete; send it whole."));
    });
  });
}
