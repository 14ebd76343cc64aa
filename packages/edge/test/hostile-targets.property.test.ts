/**
 * Hostile request targets and methods on the wire, through the Node listener
 * both apps run (before any URL parsing): whatever the request line says, the
 * answer is a status below 500, and every answer that is not a page is the
 * documented envelope. Seeds as in hostile-input.property.test.ts.
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";

import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";

import { createNodeListener } from "../src/index.ts";
import { fuzzSeeds } from "./hostile-helpers.ts";

const SEEDS = fuzzSeeds();
console.log(`hostile-targets: fast-check seeds ${SEEDS.join(", ")} (replay one with KEYSMITH_FUZZ_SEED=<seed>)`);

let server: Server;
let port: number;
beforeAll(async () => {
  const listener = createNodeListener();
  server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends one request line as written, and returns the status and body of the answer (or null when the server refused to parse it). */
function raw(method: string, target: string): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (!status) return resolve(null);
      const start = text.indexOf("\r\n\r\n") + 4;
      // a chunked body: the JSON is the first chunk
      const body = text.slice(start).replace(/^[0-9a-f]+\r\n([\s\S]*?)\r\n0\r\n\r\n$/i, "$1");
      resolve({ status: Number(status), body });
    });
  });
}

const piece = fc.oneof(
  fc.constantFrom("api", "v1", "trpc", "api-keys", "verify", "roll", "revoke", "healthz", "readyz", "openapi.json", "health.check", "1", "999999999999"),
  fc.constantFrom(".", "..", "%2e", "%2E%2e", "%2f", "%2F..", "%5c", "%00", "%ZZ", "%", "%e0%a4%a", "%ed%a0%80", "%c0%ae", "~", "@", ";x=1"),
  fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,12}$/),
);
const target = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { minLength: 0, maxLength: 6 }).map((parts) => `/${parts.join("/")}`) },
  { weight: 2, arbitrary: fc.tuple(fc.array(piece, { maxLength: 4 }), fc.stringMatching(/^[A-Za-z0-9=&%._-]{0,16}$/)).map(([parts, query]) => `/api/v1/${parts.join("/")}?${query}`) },
  { weight: 1, arbitrary: fc.constantFrom("*", "//api/v1/api-keys", "/api//v1", "http://elsewhere/api/v1/api-keys", "/api/v1/api-keys\\..\\x", "/\\\\evil") },
);
const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND");

test("any request target and method on the wire gets an answer below 500: in the envelope when it is not a page, tRPC's error JSON when tRPC answers", async () => {
  let answered = 0;
  for (const seed of SEEDS) {
    await fc.assert(
      fc.asyncProperty(method, target, async (m, t) => {
        const answer = await raw(m, m === "CONNECT" ? "localhost:1" : t);
        if (answer === null) return; // Node's parser refused the request line itself (400, no body): nothing of ours ran
        answered += 1;
        expect(answer.status, `${m} ${t}`).toBeLessThan(500);
        if (m === "HEAD" || answer.status === 204) return;
        const body = JSON.parse(answer.body) as unknown;
        if (answer.status < 400) return;
        // tRPC's own paths answer tRPC's error JSON (an unknown procedure is its NOT_FOUND); everything else the envelope
        const first = (Array.isArray(body) ? body[0] : body) as { error?: { message?: unknown } } | undefined;
        if (t.startsWith("/api/trpc/") && typeof first?.error?.message === "string") return;
        expect(body, `${m} ${t}`).toMatchObject({ data: null, status: "failed", message: expect.any(String) });
      }),
      { seed, numRuns: Math.ceil(300 / SEEDS.length) },
    ).catch((error: unknown) => {
      if (error instanceof Error) error.message = `Replay with KEYSMITH_FUZZ_SEED=${seed}.\n${error.message}`;
      throw error;
    });
  }
  expect(answered).toBeGreaterThan(250);
});
