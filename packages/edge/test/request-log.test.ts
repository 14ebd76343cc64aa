import http, { type IncomingHttpHeaders } from "node:http";

import { generateApiKey } from "@keysmith/auth";
import { pino } from "pino";
import { afterEach, expect, test } from "vitest";

import { createNodeListener } from "../src/index.ts";
import { listenForFile } from "./listening.ts";

/**
 * The listener as both apps run it, on a real loopback server, with its log
 * written into `lines` instead of stdout, and a page host standing in for
 * Next.js.
 */
let lines: Record<string, unknown>[] = [];
const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
let failPages = false;

const listener = createNodeListener({
  log,
  pages(_req, res) {
    // libraries attach what they were given to their errors
    if (failPages) throw Object.assign(new Error("the page host broke"), { body: "hunter2" });
    res.setHeader("content-type", "text/html");
    res.end("<p>page</p>");
  },
});
const served = listenForFile(listener);
afterEach(() => {
  lines = [];
  failPages = false;
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: served.port(), path, method: options.method ?? "GET", headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The log line of the request with this id, once written (the listener writes it when the response closes). */
async function lineOf(requestId: string): Promise<Record<string, unknown>> {
  await expect.poll(() => lines.some((line) => line.requestId === requestId && line.msg === "request")).toBe(true);
  return lines.find((line) => line.requestId === requestId && line.msg === "request") ?? {};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("an acceptable X-Request-Id (up to 128 of A-Z a-z 0-9 . _ : -) is echoed on API, health and page responses and is the id in their log lines", async () => {
  const longest = "a".repeat(128);
  for (const [path, id] of [
    ["/healthz", "trace-1.2_3:4-5"],
    ["/api/v1/nowhere", "A1b2C3"],
    ["/keys", longest],
  ] as const) {
    const answer = await send(path, { headers: { "x-request-id": id } });
    expect(answer.headers["x-request-id"]).toBe(id);
    expect((await lineOf(id)).requestId).toBe(id);
  }
});

test("a missing, empty, too long (129) or badly formed X-Request-Id is replaced by a fresh UUID, a different one each time, on the response and in the log", async () => {
  const offered: (string | undefined)[] = [undefined, "", "a".repeat(129), "has space", "a/b", "ak_<script>", "é"];
  const given: string[] = [];
  for (const id of offered) {
    const answer = await send("/healthz", { headers: id === undefined ? {} : { "x-request-id": id } });
    const echoed = String(answer.headers["x-request-id"]);
    expect(echoed).toMatch(UUID);
    expect((await lineOf(echoed)).requestId).toBe(echoed);
    given.push(echoed);
  }
  expect(new Set(given).size).toBe(offered.length);
});

test("an API request's log line holds exactly level, time, pid, hostname, msg, request id, method, route pattern, status, duration and client address, and none of its Authorization value, body or query", async () => {
  const key = generateApiKey();
  const bearer = "Bearer aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb";
  const answer = await send("/api/v1/api-keys/verify?key=querysecret", {
    method: "POST",
    headers: { authorization: bearer, "content-type": "application/json", "x-request-id": "verify-1" },
    body: JSON.stringify({ key, password: "hunter2" }),
  });
  expect(answer.status).toBe(401);
  const line = await lineOf("verify-1");
  expect(Object.keys(line).sort()).toEqual(["clientAddress", "durationMs", "hostname", "level", "method", "msg", "pid", "requestId", "route", "status", "time"]);
  expect(line).toMatchObject({ level: 30, msg: "request", method: "POST", route: "/api/v1/api-keys/verify", status: 401, clientAddress: "127.0.0.1" });
  expect(line.durationMs).toEqual(expect.any(Number));
  const written = JSON.stringify(lines);
  for (const secret of [key, "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "hunter2", "querysecret"]) expect(written).not.toContain(secret);
});

test("a REST path with an id is logged under its route pattern, and a page under \"pages\"", async () => {
  await send("/api/v1/api-keys/12345/roll", { method: "POST", headers: { "x-request-id": "roll-1" } });
  expect((await lineOf("roll-1")).route).toBe("/api/v1/api-keys/:id/roll");
  await send("/keys/12345?search=ak_W4KL", { headers: { "x-request-id": "page-1" } });
  expect(await lineOf("page-1")).toMatchObject({ route: "pages", status: 200 });
  expect(JSON.stringify(lines)).not.toContain("12345");
});

test("an unexpected error while serving is logged at error level with the request's id, where, and the error's name, message and stack only", async () => {
  failPages = true;
  const answer = await send("/keys", { headers: { "x-request-id": "broken-1" } });
  expect(answer.status).toBe(500);
  expect(answer.headers["x-request-id"]).toBe("broken-1");
  const error = lines.find((line) => line.level === 50);
  expect(error).toMatchObject({
    requestId: "broken-1",
    surface: "edge",
    where: "the page host on GET /keys",
    error: { name: "Error", message: "the page host broke", stack: expect.stringContaining("the page host broke") },
  });
  expect(Object.keys((error?.error as object | undefined) ?? {}).sort()).toEqual(["message", "name", "stack"]);
  expect(JSON.stringify(lines)).not.toContain("hunter2");
  expect(await lineOf("broken-1")).toMatchObject({ status: 500, route: "pages" });
});
