import { isUtf8 } from "node:buffer";

import { withKeysHidden } from "@keysmith/auth";
import { KeysmithError } from "@keysmith/validators";

import { parseLenientJson } from "./lenient-json.ts";
import { type RestRequest } from "./rest-request.ts";

/** Bodies larger than this are refused with 413 (README, "Limits"). */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Past the limit, up to this much more is read and dropped (and for at most
 * DRAIN_MS), so a client still sending can finish and read the 413, and the
 * connection stays usable. A larger body is cut off: the answer says
 * `Connection: close`, and a client still sending may see its write fail
 * before it reads the answer.
 */
export const DRAIN_BYTES = 8 * 1024 * 1024;
export const DRAIN_MS = 2_000;

/** Reads and drops the rest of a body, within the budget; true when it ended. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<boolean> {
  const deadline = Date.now() + DRAIN_MS;
  let left = budget;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return true;
    left -= value.byteLength;
    if (left < 0 || Date.now() > deadline) {
      await reader.cancel();
      return false;
    }
  }
}

/**
 * The body's bytes, refusing (413) more than `maxBytes`: as soon as
 * Content-Length or the stream passes it. Shared by REST and the tRPC
 * endpoint.
 */
export async function readLimitedBytes(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array<ArrayBuffer>> {
  const length = request.headers.get("content-length");
  const declared = Number(length ?? "0");
  if (declared > maxBytes) {
    const ended = declared <= DRAIN_BYTES && request.body ? await drain(request.body.getReader() as ReadableStreamDefaultReader<Uint8Array>, declared) : false;
    throw tooLarge(maxBytes, ended);
  }
  // A declared length within the limit is read whole, before anything touches
  // `request.body`: on @hono/node-server that getter builds a full web stream,
  // which was most of a cached verification's cost.
  if (length !== null && Number.isInteger(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes, true);
    return bytes;
  }
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes, await drain(reader, DRAIN_BYTES - size));
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function tooLarge(maxBytes: number, bodyEnded: boolean): KeysmithError {
  return new KeysmithError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxBytes / 1024} KiB.`, { closeConnection: !bodyEnded });
}

/**
 * The body as text, or undefined when it is not valid UTF-8: what
 * `new TextDecoder("utf-8", { fatal: true })` answers (a leading BOM
 * dropped), through Node's own validator and decoder, several times faster
 * for a small body (the decoder was most of the body read's time per cached
 * verification).
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The refusal (415) of a body sent with a Content-Encoding (gzip, say), or
 * undefined when it has none: decoded as it is, it would be "not valid UTF-8"
 * or "malformed JSON", which sends the client looking in the wrong place.
 */
export function encodingRefusal(encoding: string | null): KeysmithError | undefined {
  if (encoding === null || encoding.trim().toLowerCase() === "identity") return undefined;
  return new KeysmithError("UNSUPPORTED_MEDIA_TYPE", `A body with Content-Encoding "${withKeysHidden(encoding.trim().slice(0, 40))}" is not accepted: send it uncompressed.`);
}

/**
 * The body as a plain object of fields. JSON is accepted whatever the
 * Content-Type says (the documented curl sends JSON labelled form-encoded),
 * with a trailing comma tolerated; form data (urlencoded or multipart) too.
 * An empty body is `{}`, so validation names the missing fields. Bodies
 * over `maxBytes` are refused (413). With `jsonOnly`, any body that is not
 * JSON is refused (415).
 */
export function readBody(request: RestRequest, maxBytes = MAX_BODY_BYTES, { jsonOnly = false }: { jsonOnly?: boolean } = {}): Record<string, unknown> | Promise<Record<string, unknown>> {
  const bytes = request.bytes(maxBytes);
  // a body already at hand is parsed at once: a value, not a promise (the verify route answers a warm key without waiting a turn)
  return bytes instanceof Promise ? bytes.then((read) => fieldsOf(request, read, jsonOnly)) : fieldsOf(request, bytes, jsonOnly);
}

/**
 * The refusal (415) of a body that is not JSON on a route that takes JSON
 * only (a route whose doc says `jsonOnly`): form data there would only be
 * judged field by field as the wrong shape, which sends the client looking
 * in the wrong place.
 */
function notJson(): KeysmithError {
  // the Content-Type sent is not quoted back: it is the client's own text, and the fix is the same whatever it was
  return new KeysmithError("UNSUPPORTED_MEDIA_TYPE", "This route takes JSON only: send the body as a JSON object, with Content-Type: application/json.");
}

function fieldsOf(request: RestRequest, bytes: Uint8Array, jsonOnly: boolean): Record<string, unknown> | Promise<Record<string, unknown>> {
  const compressed = bytes.byteLength > 0 ? encodingRefusal(request.headers.get("content-encoding")) : undefined;
  if (compressed) throw compressed;
  const single = singleTextField(bytes);
  if (single) return single;
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new KeysmithError("BAD_REQUEST", "The request body is not valid UTF-8 text.");
  const trimmed = text.trim();
  if (!trimmed) return {};

  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = parseLenientJson(trimmed);
    } catch (error) {
      // V8's message quotes the body, which may hold a password: say where, not what
      const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
      throw new KeysmithError("BAD_REQUEST", `The JSON body is malformed${position ? ` near character ${position}` : ""}: check quotes, commas and brackets.`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new KeysmithError("BAD_REQUEST", "The JSON body must be an object, like {\"name\": \"my-key\"}.");
    }
    return parsed as Record<string, unknown>;
  }
  // JSON is taken whatever its label, so the label is read only for the other bodies
  const rawContentType = request.headers.get("content-type") ?? "";
  // lower-cased for matching only: a multipart boundary is case-sensitive (Chrome's is ----WebKitFormBoundary…)
  const contentType = rawContentType.toLowerCase();
  if (contentType.includes("json")) {
    throw new KeysmithError("BAD_REQUEST", "The body is labelled JSON but is not a JSON object.");
  }
  if (jsonOnly) throw notJson();
  if (contentType.startsWith("multipart/form-data")) return multipartFields(bytes, rawContentType);
  if (contentType === "" || contentType.startsWith("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw new KeysmithError(
    "UNSUPPORTED_MEDIA_TYPE",
    // the client's own text quoted back: cut short, and never a key pasted into the wrong header
    `A body of type "${withKeysHidden((contentType.split(";")[0] ?? "").slice(0, 60))}" is not accepted: send JSON or form data (application/x-www-form-urlencoded or multipart/form-data).`,
  );
}

/** Whether `byte` may be in a field name that `singleTextField` reads: a-z and _. */
const isNameByte = (byte: number) => (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f;

/**
 * The body `{"name":"value"}` exactly, as JSON.parse would read it, or
 * undefined for any other body. The name is a-z and _; the value printable
 * ASCII without `"` or `\`, so each byte is the character JSON means by it.
 * That is the shape nearly every verification sends (`{"key":"ak_…"}`), and
 * reading it from the bytes skips the UTF-8 check, the decoding and V8's JSON
 * parser: on a slow machine, where each of them ran cold, about a tenth of a
 * warm verification's time (docs/performance.md, "Eighth look"). Every other
 * body takes the general path below.
 */
function singleTextField(bytes: Uint8Array): Record<string, string> | undefined {
  const end = bytes.byteLength;
  // {"a":""} is the shortest
  if (end < 8 || bytes[0] !== 0x7b || bytes[1] !== 0x22 || bytes[end - 2] !== 0x22 || bytes[end - 1] !== 0x7d) return undefined;
  let nameEnd = 2;
  while (nameEnd < end && isNameByte(bytes[nameEnd] ?? 0)) nameEnd += 1;
  if (nameEnd === 2 || bytes[nameEnd] !== 0x22 || bytes[nameEnd + 1] !== 0x3a || bytes[nameEnd + 2] !== 0x22) return undefined;
  const valueStart = nameEnd + 3;
  if (valueStart > end - 2) return undefined;
  for (let at = valueStart; at < end - 2; at += 1) {
    const byte = bytes[at] ?? 0;
    if (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return undefined;
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, end);
  return { [buffer.toString("latin1", 2, nameEnd)]: buffer.toString("latin1", valueStart, end - 2) };
}

async function multipartFields(bytes: Uint8Array, contentType: string): Promise<Record<string, unknown>> {
  try {
    // undici's parser buffers the whole body; bodies are capped at MAX_BODY_BYTES, so that is fine
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const form = await new Response(new Uint8Array(bytes), { headers: { "content-type": contentType } }).formData();
    return Object.fromEntries([...form.entries()].map(([key, value]) => [key, typeof value === "string" ? value : value.name]));
  } catch {
    throw new KeysmithError("BAD_REQUEST", "The multipart form body is malformed.");
  }
}
