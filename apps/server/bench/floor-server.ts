// The HTTP floor: bare Node http answering a constant JSON envelope.
import http from "node:http";

import { serverEnv } from "@keysmith/edge";

const body = JSON.stringify({ data: { valid: true, code: "VALID" }, message: "API key is valid", status: "success" });
const server = http.createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    response.end(body);
  });
});
server.listen(serverEnv.port("KEYSMITH_API_PORT", 3001), "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
