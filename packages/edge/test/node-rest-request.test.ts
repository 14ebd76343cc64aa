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

/**
 * A server that asks for the body in the request event itself, as the REST
 * handler does once a warm caller is resolved without waiting: the parser has
 * not handed the body over yet. It reports whether the answer was a promise,
 * whether the body was read as a stream ("data" listeners), and the body.
 */
const eager = http.createServer((req, res) => {
  const read = readNodeBody(req, 1024);
  const promised = read instanceof Promise;
  void (async () => {
    const body = await read;
    const streamed = req.listenerCount("data") > 0;
    const settled = (event: string) => Promise.race([once(req, event).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000))]);
    const ended = req.readableEnded || (await settled("end"));
    const closed = req.destroyed || (await settled("close"));
    res.end(JSON.stringify({ promised, streamed, body: Buffer.from(body).toString("utf8"), ended, closed }));
  })();
});
await new Promise<void>((resolve) => eager.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise<void>((resolve) => eager.close(() => resolve())));

/** A POST to the eager server over a raw socket: its head, then (after `pauseMs`, if any) its body. */
async function rawPost(body: string, pauseMs?: number): Promise<unknown> {
  const { port } = eager.address() as { port: number };
  const socket = (await import("node:net")).connect(port, "127.0.0.1");
  await once(socket, "connect");
  const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  if (pauseMs === undefined) socket.write(head + body);
  else {
    socket.write(head);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    socket.write(body);
  }
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "end");
  const text = Buffer.concat(chunks).toString("utf8");
  return JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as unknown;
}

test("asked for in the request event, a body sent with its head is taken whole from the buffer one microtask later, not streamed, and the request then emits end and close", async () => {
  expect(await rawPost('{"key":"ak_x"}')).toEqual({ promised: true, streamed: false, body: '{"key":"ak_x"}', ended: true, closed: true });
});

test("asked for in the request event, a body sent 50 ms after its head is read as it comes, whole, and the request then emits end and close", async () => {
  expect(await rawPost('{"key":"ak_late"}', 50)).toEqual({ promised: true, streamed: true, body: '{"key":"ak_late"}', ended: true, closed: true });
});

test("a body already buffered whole is returned as the bytes themselves, not a promise", async () => {
  const seen = new Promise<{ promised: boolean; body: string }>((resolve) => {
    const server = http.createServer((req, res) => {
      void Promise.resolve().then(() => {
        const read = readNodeBody(req, 1024);
        resolve({ promised: read instanceof Promise, body: read instanceof Promise ? "" : Buffer.from(read).toString("utf8") });
        res.end();
        server.close();
      });
    });
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      const req = http.request({ host: "127.0.0.1", port, method: "POST", headers: { "content-length": 9 }, agent: false });
      req.on("error", () => undefined);
      req.end('{"a":"b"}');
    });
  });
  expect(await seen).toEqual({ promised: false, body: '{"a":"b"}' });
});
