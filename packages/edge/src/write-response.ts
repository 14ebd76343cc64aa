import { type ServerResponse } from "node:http";

import { type RestAnswer } from "@keysmith/rest";

/**
 * Writes an answer (the API's, the envelope's) to a Node response, whole: one
 * writeHead with every header as one flat list (`leading` first: the edge's
 * own; a fresh list of the caller's, which this appends to rather than
 * copies), and the body with its Content-Length, in one write. Headers set
 * earlier with setHeader are kept; a name in both takes this call's value.
 */
export function writeAnswer(res: ServerResponse, answer: RestAnswer, leading: string[] = []): void {
  const headers = leading;
  for (const name in answer.headers) headers.push(name, answer.headers[name] as string);
  // without it, a writeHead before the body makes Node frame the body in chunks
  headers.push("content-length", String(Buffer.byteLength(answer.body)));
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
