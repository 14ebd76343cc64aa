import { KeysmithError } from "@keysmith/validators";
import { describe, expect, it } from "vitest";

import { readBody } from "../src/read-body.ts";
import { type RestRequest } from "../src/rest-request.ts";

/** A request whose body is `body`, at hand (as the lean server hands over a body it has buffered whole). */
function requestWith(body: string | Uint8Array, headers: Record<string, string> = { "content-type": "application/json" }): RestRequest {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return { method: "POST", url: "http://localhost/api/v1/api-keys/verify", pathname: "/api/v1/api-keys/verify", headers: new Headers(headers), bytes: () => bytes };
}

/** What readBody gives, or the refusal it throws, as plain data to compare. */
function read(body: string | Uint8Array, headers?: Record<string, string>): unknown {
  try {
    const fields = readBody(requestWith(body, headers));
    if (fields instanceof Promise) throw new Error("a body at hand should be read at once");
    return { fields, own: Object.keys(fields), prototype: Object.getPrototypeOf(fields) === Object.prototype };
  } catch (error) {
    if (!(error instanceof KeysmithError)) throw error;
    return { refused: error.code, message: error.message };
  }
}

/** What JSON.parse makes of `text`, in read()'s terms: a malformed body is the 400 readBody answers for it. */
function asJsonParses(text: string): unknown {
  try {
    const fields = JSON.parse(text) as Record<string, unknown>;
    return { fields, own: Object.keys(fields), prototype: Object.getPrototypeOf(fields) === Object.prototype };
  } catch {
    return { refused: "BAD_REQUEST", message: expect.stringMatching(/^The JSON body is malformed/) as unknown };
  }
}

describe("readBody of a JSON object with one text field", () => {
  it("each printable ASCII character other than a quote or backslash, in a value, is read as JSON.parse reads it", () => {
    for (let code = 0x20; code <= 0x7e; code += 1) {
      if (code === 0x22 || code === 0x5c) continue;
      const text = JSON.stringify({ key: `ak_${String.fromCharCode(code)}x` });
      expect(read(text), text).toEqual(asJsonParses(text));
    }
  });

  it("bodies near the one-field shape (escapes, other characters, names, spacing, more fields, truncation) are read as JSON.parse reads them, or refused as malformed", () => {
    const bodies = [
      '{"key":""}',
      '{"key":"ak_\\"quoted\\""}',
      '{"key":"back\\\\slash"}',
      '{"key":"\\u0041\\n"}',
      '{"key":"café"}',
      '{"key":"🔑"}',
      '{"key":"a\u007fb"}',
      '{"Key":"x"}',
      '{"k1":"x"}',
      '{"":"x"}',
      '{ "key": "x" }',
      '{"key" :"x"}',
      '{"key":"x" }',
      '{"key":"x","key":"y"}',
      '{"key":"x","cost":0}',
      '{"key":1}',
      '{"key":"x"',
      '{"key":"x}',
      '{"key:"x"}',
      '{"key":x"}',
      '{"key""x"}',
      '{"a":"}',
      '{"key":"a\tb"}',
      '{"key":"a\nb"}',
    ];
    for (const text of bodies) expect(read(text), text).toEqual(asJsonParses(text));
  });

  it("a field named __proto__ is an own field of a plain object, as JSON.parse makes it, and sets no prototype", () => {
    const text = '{"__proto__":"x"}';
    expect(read(text)).toEqual(asJsonParses(text));
    expect(read(text)).toMatchObject({ own: ["__proto__"], prototype: true });
  });

  it("a leading BOM is dropped, a trailing comma tolerated, and bytes that are not UTF-8 refused, as before the one-field shape was read apart", () => {
    expect(read(`\ufeff{"key":"x"}`)).toMatchObject({ fields: { key: "x" } });
    expect(read('{"key":"x",}')).toMatchObject({ fields: { key: "x" } });
    expect(read(Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toEqual({ refused: "BAD_REQUEST", message: "The request body is not valid UTF-8 text." });
  });

  it("a one-field body sent with Content-Encoding gzip is refused with 415, not read", () => {
    expect(read('{"key":"x"}', { "content-type": "application/json", "content-encoding": "gzip" })).toMatchObject({ refused: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("a one-field body read from a Uint8Array that is a view into a larger buffer is read from its own bytes only", () => {
    const whole = Buffer.from('xx{"key":"ak_view"}yy');
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.byteLength - 4);
    expect(read(view)).toMatchObject({ fields: { key: "ak_view" } });
  });
});
