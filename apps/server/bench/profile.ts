/**
 * `pnpm bench:profile`: where the time of a warm HTTP verification goes. Runs
 * apps/server under `node --cpu-prof`, sends it cached verifications with
 * autocannon (c=32), and attributes every sample of the server's CPU profile
 * to a stage of the request (innermost marker frame on its stack wins), in
 * µs per request. Prints a Markdown table; `--write` puts it in
 * docs/performance.md under "## Profile" (keeping the other sections).
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { signUp } from "@keysmith/auth";
import { getPool } from "@keysmith/db";
import autocannon from "autocannon";

import { startBenchDatabase, verifyRequests } from "./bench-database.ts";
import { apiDir, startApiWithFlags } from "./processes.ts";
import { insertRealKeys } from "./seed.ts";

const SECONDS = 10;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Stages, innermost first when nested; a frame names a stage when its function or file matches. */
const STAGES: { stage: string; match: (name: string, url: string) => boolean }[] = [
  { stage: "hashing (SHA-256 of keys and checksums)", match: (_, url) => /node:internal\/crypto/.test(url) },
  { stage: "JSON parse of the body", match: (name, url) => /lenient-json/.test(url) || (name === "parse" && url === "") },
  { stage: "schema parse (zod)", match: (_, url) => /node_modules\/.*zod/.test(url) },
  { stage: "serialisation (JSON.stringify)", match: (name, url) => name === "stringify" && url === "" },
  { stage: "logging (the request line, pino)", match: (_, url) => /node_modules\/.*(pino|sonic-boom|thread-stream)/.test(url) || /edge\/src\/(log|request-log|batched-stdout)\.ts/.test(url) },
  { stage: "metrics (request counts)", match: (name, url) => /edge\/src\/metrics\.ts/.test(url) || /prom-client/.test(url) || name === "countRequest" },
  { stage: "the caller's own credential (resolvePrincipal)", match: (_, url) => /auth\/src\/(resolve-principal|sessions|session-cache|throttle)/.test(url) },
  { stage: "verification (cache, judge, usage count)", match: (_, url) => /auth\/src\/verify\//.test(url) || /core\/src\/api-keys\/verify/.test(url) },
  { stage: "body read", match: (_, url) => /rest\/src\/read-body/.test(url) || /edge\/src\/node-rest-request/.test(url) },
  { stage: "REST routing and envelope", match: (_, url) => /rest\/src\/(handler|envelope|routes)/.test(url) || /core\/src\/(authorize|known-failure)/.test(url) },
  { stage: "URL parsing (new URL)", match: (name, url) => (name === "URL" || name === "parse") && /node:internal\/url/.test(url) },
  { stage: "request object (fetch Request from IncomingMessage)", match: (_, url) => /@hono\/node-server/.test(url) && !/response/i.test(url) },
  { stage: "response conversion and write", match: (_, url) => /edge\/src\/write-response/.test(url) || /node:_http_outgoing|node:_http_server/.test(url) },
  { stage: "edge listener (security headers, target checks, request id)", match: (_, url) => /edge\/src\//.test(url) },
  { stage: "Node http and sockets (parser, net, streams)", match: (_, url) => /^node:/.test(url) },
  { stage: "undici (fetch Request/Response, Headers)", match: (_, url) => /undici|node:internal\/deps\/undici/.test(url) },
  { stage: "garbage collection", match: (name) => name === "(garbage collector)" },
];

/** The frames with the most self time, for finding what a stage is made of (`--top`). */
function topFrames(profile: CpuProfile, count: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const name = frame ? `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/packages\//, "")}` : "?";
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

/**
 * CPU time by stage, counting only the last `windowUs` of samples before the
 * last request was served: start-up (module loading) and the warm-up run stay
 * out, as does shutdown.
 */
function attribute(profile: CpuProfile, windowUs: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const node = byId.get(id);
    let stage = "other";
    if (node) {
      const { functionName, url } = node.callFrame;
      if (functionName === "(idle)") stage = "idle (waiting for requests)";
      else if (functionName === "(program)") stage = "V8 and native (unattributed)";
      else {
        const own = STAGES.find(({ match }) => match(functionName, url))?.stage;
        const up = parent.get(id);
        // the innermost marker wins: a frame's own stage unless it has none, then its caller's
        stage = own ?? (up === undefined ? "other" : resolve(up));
      }
    }
    stageOf.set(id, stage);
    return stage;
  };
  let at = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (at += delta));
  const stages = profile.samples.map(resolve);
  const end = times[stages.lastIndexOf("REST routing and envelope")] ?? at;
  const totals = new Map<string, number>();
  stages.forEach((stage, i) => {
    const time = times[i] ?? 0;
    if (time > end || time <= end - windowUs) return;
    totals.set(stage, (totals.get(stage) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

/** The document with "### Profile: <label>" under "## Profile" set to `lines` (added at the end when missing). */
function withProfile(doc: string, label: string, lines: string[]): string {
  const heading = `### Profile: ${label}`;
  const section = `${heading}\n\n${lines.join("\n")}\n`;
  const start = doc.indexOf(`\n${heading}\n`);
  if (start === -1) {
    const base = doc.includes("\n## Profile\n") ? doc.trimEnd() : `${doc.trimEnd()}\n\n## Profile`;
    return `${base}\n\n${section}`;
  }
  const rest = doc.slice(start + 1 + heading.length);
  const end = rest.search(/\n##/);
  return `${doc.slice(0, start + 1)}${section}${end === -1 ? "" : rest.slice(end)}`;
}

async function main() {
  const database = await startBenchDatabase();
  const { folder } = database;
  try {
    const user = await signUp({ username: "profile", email: "profile@example.test", name: "Profile", password: "profile password" });
    const keys = await insertRealKeys(getPool(), user.id, 100);
    const server = await startApiWithFlags(database.url, ["--cpu-prof", `--cpu-prof-dir=${folder}`]);
    const requests = verifyRequests(keys[0] ?? "", keys);
    await autocannon({ url: server.url, connections: 32, duration: 2, requests });
    const result = await autocannon({ url: server.url, connections: 32, duration: SECONDS, requests });
    await server.stop();
    const file = (await readdir(folder)).find((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error("the server wrote no CPU profile");
    const text = await readFile(path.join(folder, file), "utf8");
    // left for Chrome DevTools or speedscope: the table only says which stage, not why
    await writeFile(path.join(os.tmpdir(), "keysmith-verify.cpuprofile"), text);
    const profile = JSON.parse(text) as CpuProfile;
    if (process.argv.includes("--top")) console.log(topFrames(profile, 40).join("\n"));
    const totals = attribute(profile, SECONDS * 1_000_000);
    const served = result.requests.total;
    const busy = [...totals].filter(([stage]) => !stage.startsWith("idle")).reduce((sum, [, us]) => sum + us, 0);
    const lines = [
      `Warm HTTP verification through apps/server at c=32 (autocannon on the same machine, ${SECONDS} s, ${result.requests.average.toLocaleString("en")} req/s under the profiler), time of the server's main thread per request, by stage (the innermost recognised frame of each sample). V8's profiler samples on a clock, so a system call during which the process waits for the CPU (the machine's other core runs autocannon and PostgreSQL) counts to that call: the socket writes include that wait.`,
      "",
      "| stage | µs per request | share of busy time |",
      "|---|---:|---:|",
      ...[...totals]
        .filter(([stage]) => !stage.startsWith("idle"))
        .sort((a, b) => b[1] - a[1])
        .map(([stage, us]) => `| ${stage} | ${(us / served).toFixed(1)} | ${((us / busy) * 100).toFixed(1)}% |`),
      `| **total busy** | **${(busy / served).toFixed(1)}** | 100% |`,
    ];
    console.log(lines.join("\n"));
    if (process.argv.includes("--write")) {
      const label = process.argv[process.argv.indexOf("--write") + 1] ?? "now";
      const docPath = path.resolve(apiDir, "../../docs/performance.md");
      await writeFile(docPath, withProfile(await readFile(docPath, "utf8"), label, lines));
    }
  } finally {
    await database.stop();
  }
}

await main();
