// The HTTP floor: bare Node http answering a constant JSON envelope.
// With KEYSMITH_FLOOR_STEPS=1 to 3 (`pnpm bench:http -- --steps`), the same server takes on the work
// every verification must do, a step at a time, to show what that work alone costs:
//   1: the headers of an API answer (the edge's security headers, X-Request-Id from a fresh UUID, the
//      envelope's Content-Type and Cache-Control: no-store) in one writeHead;
//   2: and a close listener writing a log line through the request log's own batched stdout;
//   3: and the body parsed as JSON, two SHA-256 hashes (the caller's key and the one verified), and an
//      envelope as large as a VALID answer's, made with JSON.stringify.
import { hash, randomUUID } from "node:crypto";
import http from "node:http";

import { batchedStdout, edgeSecurityHeaders, serverEnv } from "@keysmith/edge";
import { type VerifyResult } from "@keysmith/validators";

const body = JSON.stringify({ data: { valid: true, code: "VALID" }, message: "API key is valid", status: "success" });
const steps = Number(process.env.KEYSMITH_FLOOR_STEPS ?? 0);

const floor: http.RequestListener = (request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    response.end(body);
  });
};

const log = batchedStdout();

const stepped: http.RequestListener = (request, response) => {
  const started = performance.now();
  const requestId = randomUUID();
  if (steps >= 2) {
    response.on("close", () => {
      log.write(`{"level":30,"time":${Date.now()},"requestId":"${requestId}","status":${response.statusCode},"durationMs":${Math.round((performance.now() - started) * 100) / 100}}\n`);
    });
  }
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    let answer = body;
    if (steps >= 3) {
      // the readiness probe is a GET without a body
      const text = Buffer.concat(chunks).toString();
      const key = text ? (JSON.parse(text) as { key: string }).key : "";
      hash("sha256", key, "base64url");
      hash("sha256", (request.headers.authorization ?? "").slice(7), "base64url");
      // typed as the real answer, so a field added to it is added here too
      const data: VerifyResult = { valid: true, code: "VALID", id: 1, name: "bench", owner_id: 1, expires_at: null, scopes: ["keys:read"], remaining: null, retry_after_seconds: null };
      answer = JSON.stringify({ data, message: "API key is valid", status: "success" });
    }
    const headers = [
      ...edgeSecurityHeaders(false, true),
      "x-request-id",
      requestId,
      "content-type",
      "application/json; charset=utf-8",
      "cache-control",
      "no-store",
      "content-length",
      String(Buffer.byteLength(answer)),
    ];
    response.writeHead(200, headers);
    response.end(answer);
  });
};

const server = http.createServer(steps === 0 ? floor : stepped);
server.listen(serverEnv.port("KEYSMITH_API_PORT", 3001), "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
