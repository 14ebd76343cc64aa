import { type HeaderReader } from "@keysmith/auth";

/**
 * What the REST handler reads of a request. A fetch `Request` gives it all
 * (createRestHandler); the lean server builds it straight from Node's
 * `IncomingMessage`, without a fetch `Request`, its `Headers` or a web
 * stream for the body, which were most of a cached verification's cost.
 */
export interface RestRequest {
  method: string;
  /** The URL as the client addressed it, absolute. */
  url: string;
  /** Its path, decoded no further than on the wire. */
  pathname: string;
  headers: HeaderReader;
  /**
   * The body's bytes, refusing (413) more than `maxBytes` as read-body.ts
   * describes: a value when the whole body is at hand, else a promise. Its
   * refusal may be thrown at once as well as rejected: call it where both
   * are caught (an async function, or a try around it and a catch on it).
   */
  bytes(maxBytes: number): Uint8Array | Promise<Uint8Array>;
  /** Whether it carries a body, when known apart from its headers (a fetch Request's body); else Content-Length and Transfer-Encoding say. */
  hasBody?: boolean;
}
