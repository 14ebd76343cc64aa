import net from "node:net";

import { expect, test } from "vitest";

import { createNodeListener } from "../src/index.ts";
import { listenForFile } from "./listening.ts";

/**
 * REST answers through the listener on a real loopback server, when many are
 * made in one turn of the event loop (so most are held to the turn's end,
 * see answerBatch): each request still gets its own answer, whole and in order.
 */
const served = listenForFile(createNodeListener());

interface Answer {
  status: number;
  requestId: string | undefined;
  body: string;
}

/** Reads `count` HTTP/1.1 responses, each framed by its Content-Length, from what `socket` receives. */
function readAnswers(socket: net.Socket, count: number): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const answers: Answer[] = [];
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`the socket closed after ${answers.length} of ${count} answers`)));
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const headEnd = buffered.indexOf("\r\n\r\n");
        if (headEnd === -1) return;
        const head = buffered.subarray(0, headEnd).toString("latin1").split("\r\n");
        const header = (name: string) => head.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
        const length = Number(header("content-length"));
        if (buffered.length < headEnd + 4 + length) return;
        answers.push({
          status: Number(head[0]?.split(" ")[1]),
          requestId: header("x-request-id"),
          body: buffered.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8"),
        });
        buffered = buffered.subarray(headEnd + 4 + length);
        if (answers.length === count) {
          socket.removeAllListeners("close");
          resolve(answers);
          return;
        }
      }
    });
  });
}

/** A REST request the API refuses without the database (no credential): 401 in its envelope. */
const unauthenticated = (id: string) => `GET /api/v1/api-keys HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: ${id}\r\n\r\n`;

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(served.port(), "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });
}

test("eight REST requests pipelined in one write on one socket get eight whole 401 failure envelopes, in the order sent, each with its own X-Request-Id", async () => {
  const socket = await connect();
  try {
    const ids = Array.from({ length: 8 }, (_, i) => `pipelined-${i}`);
    const answering = readAnswers(socket, ids.length);
    socket.write(ids.map(unauthenticated).join(""));
    const answers = await answering;
    expect(answers.map((answer) => answer.requestId)).toEqual(ids);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ data: null, status: "failed", message: expect.any(String) });
    }
  } finally {
    socket.destroy();
  }
});

test("forty sockets sending a REST request each at the same moment each get a whole 401 failure envelope with their own X-Request-Id", async () => {
  const sockets = await Promise.all(Array.from({ length: 40 }, connect));
  try {
    const answering = sockets.map((socket) => readAnswers(socket, 1));
    sockets.forEach((socket, i) => socket.write(unauthenticated(`socket-${i}`)));
    const answers = (await Promise.all(answering)).map(([answer]) => answer);
    expect(answers.map((answer) => answer?.requestId)).toEqual(sockets.map((_, i) => `socket-${i}`));
    for (const answer of answers) {
      expect(answer?.status).toBe(401);
      expect(JSON.parse(answer?.body ?? "")).toMatchObject({ data: null, status: "failed", message: expect.any(String) });
    }
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});
