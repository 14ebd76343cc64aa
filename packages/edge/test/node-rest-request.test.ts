import http from "node:http";
import { once } from "node:events";

import { afterAll, expect, test } from "vitest";

import { readNodeBody } from "../src/node-rest-request.ts";

/**
 * A server that reads each request's body with readNodeBody after a few
 * promise hops (as the REST handler does: resolving the caller first), then
 * reports whether the request went on to emit "end" and "close" within 1 s.
 * Those hops run once the parser has buffered the body but before it has
 * marked the message complete.
 */
const server = http.createServer((req, res) => {
  void (async () => {
    for (let hop = 0; hop < 3; hop += 1) await Promise.resolve();
    const body = await readNodeBody(req, 1024);
    const settled = (event: string) => Promise.race([once(req, event).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000))]);
    const ended = req.readableEnded || (await settled("end"));
    const closed = req.destroyed || (await settled("close"));
    res.end(JSON.stringify({ body: Buffer.from(body).toString("utf8"), ended, closed }));
  })();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(body: string): Promise<{ body: string; ended: boolean; closed: boolean }> {
  const { port } = server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-length": Buffer.byteLength(body) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as { body: string; ended: boolean; closed: boolean }));
    });
    req.on("error", reject);
    // headers and body in one write: the body is all buffered when the handler asks for it
    req.end(body);
  });
}

test("a body read whole from the buffer is the body sent, and the request still emits end and close afterwards", async () => {
  for (let i = 0; i < 20; i += 1) {
    expect(await post(`{"key":"ak_${i}"}`)).toEqual({ body: `{"key":"ak_${i}"}`, ended: true, closed: true });
  }
});
