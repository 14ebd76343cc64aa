// A floor below the floor, for `pnpm bench:http -- --steps`: the floor's constant answer from Node's own HTTP
// parser (llhttp, through the binding Node's http module itself uses) on a bare `net` socket, with none of the
// http module's JavaScript (no IncomingMessage, ServerResponse or streams). Its CPU per request is the most a
// leaner HTTP layer that keeps llhttp could save. A measurement only: it skips what a real server must do
// (timeouts, Connection: close, errors as 400s, back-pressure), and the binding is deprecated (DEP0111).
import net from "node:net";

import { serverEnv } from "@keysmith/edge";

interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  [callback: number]: (...args: unknown[]) => void;
}
interface ParserBinding {
  HTTPParser: { new (): Parser; REQUEST: number; kOnHeaders: number; kOnHeadersComplete: number; kOnBody: number; kOnMessageComplete: number };
}

process.noDeprecation = true;
const { HTTPParser } = (process as unknown as { binding(name: string): ParserBinding }).binding("http_parser");
const body = JSON.stringify({ data: { valid: true, code: "VALID" }, message: "API key is valid", status: "success" });
const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n`;
const ignore = () => {};

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 0, 0);
  parser[HTTPParser.kOnHeaders] = ignore;
  parser[HTTPParser.kOnHeadersComplete] = ignore;
  parser[HTTPParser.kOnBody] = ignore;
  // the Date header, as Node's http sends it (its cached string is refreshed once a second too)
  parser[HTTPParser.kOnMessageComplete] = () => socket.write(`${head}Date: ${date}\r\n\r\n${body}`);
  socket.on("data", (data: Buffer) => {
    if (parser.execute(data) instanceof Error) socket.destroy();
  });
  socket.on("error", ignore);
});
let date = new Date().toUTCString();
setInterval(() => (date = new Date().toUTCString()), 1000).unref();
server.listen(serverEnv.port("KEYSMITH_API_PORT", 3001), "127.0.0.1", () => console.log("ready"));
// nothing to flush, and idle keep-alive sockets would hold a graceful close open
process.on("SIGTERM", () => process.exit(0));
