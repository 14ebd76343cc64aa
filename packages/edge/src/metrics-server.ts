import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { failure, logUnexpectedError } from "@keysmith/rest";
import { KeysmithError, unexpectedError } from "@keysmith/validators";

import { metricsRegistry } from "./metrics.ts";
import { pathOf } from "./request-target.ts";
import { writeAnswer } from "./write-response.ts";

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("cache-control", "no-store");
  const path = pathOf(req.url ?? "/");
  if (path !== "/metrics") {
    writeAnswer(res, failure(new KeysmithError("NOT_FOUND", `This listener serves only GET /metrics, not ${path.slice(0, 100)}.`)));
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    writeAnswer(res, failure(new KeysmithError("METHOD_NOT_ALLOWED", `${req.method ?? "?"} is not allowed on /metrics; use GET.`), { allow: "GET, HEAD" }));
    return;
  }
  const text = await metricsRegistry.metrics();
  res.writeHead(200, { "content-type": metricsRegistry.contentType });
  res.end(req.method === "HEAD" ? undefined : text);
}

/**
 * The /metrics listener: a server of its own, on its own port
 * (KEYSMITH_METRICS_PORT, loopback by default), so the public port never
 * shows the figures and a scrape needs no secret. It serves nothing else;
 * scrapes are neither logged nor counted as requests.
 */
export function createMetricsServer(): Server {
  return createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      logUnexpectedError("edge", "collecting metrics", error);
      if (res.headersSent) res.destroy();
      else writeAnswer(res, failure(unexpectedError()));
    });
  });
}
