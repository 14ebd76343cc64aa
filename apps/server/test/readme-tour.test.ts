import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

import { signUp } from "@keysmith/auth";
import { dbEnv, getDb } from "@keysmith/db";
import { afterAll, beforeAll, expect, test } from "vitest";

import { type Instance, startInstance } from "./instance.ts";

const run = promisify(execFile);
const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** The ```sh blocks of the README's "REST in five commands" section, in order. */
function tourBlocks(): string[] {
  const section = /^## REST in five commands\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

let api: Instance;
beforeAll(async () => {
  api = await startInstance(dbEnv.databaseUrl() ?? "");
  await signUp({ username: "alice", email: "alice@example.test", name: "Alice", password: "correct horse battery staple" });
});
afterAll(async () => {
  await api.stop();
});

test("the README's REST tour has five steps", () => {
  expect(tourBlocks()).toHaveLength(5);
});

test("the README's REST tour works as written against a running app, and the key it deletes is refused afterwards", async () => {
  const blocks = tourBlocks();
  // each block's output, separated so each step can be checked
  const script = [
    "set -euo pipefail",
    ...blocks.flatMap((block, i) => [block, `echo; echo "--- step ${i + 1} done"`]),
    // after the tour: the deleted key, presented as a credential, must be refused
    'curl -s -o /dev/null -w "%{http_code}" "$API/api-keys" -H "Authorization: Bearer $KEY"',
  ].join("\n");
  const { stdout } = await run("bash", ["-c", script], { env: { ...process.env, API: `${api.url}/api/v1` } });
  const steps = stdout.split(/--- step \d done\n?/);

  expect(steps[2]).toContain('"message":"API keys successfully retrieved"');
  expect(steps[2]).toContain('"name":"my-service"');
  expect(steps[3]).toContain('"code":"VALID"');
  expect(steps[4]).toBe('{"data":{},"message":"API key successfully deleted","status":"success"}\n');
  expect(steps[5]).toBe("401");
  // the key was created and is gone again
  const alice = await getDb().user.findUniqueOrThrow({ where: { username: "alice" }, include: { apiKeys: true } });
  expect(alice.apiKeys).toEqual([]);
});

test("the README's create example, pasted as it is (JSON sent by -d, trailing comma) with the lean server's URL and a token, answers 201 with the documented envelope", async () => {
  const example = /so the documented example works pasted as it is:\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  expect(example).toContain("-d '{");
  const login = await fetch(`${api.url}/api/v1/login`, { method: "POST", body: JSON.stringify({ username: "alice", password: "correct horse battery staple" }) });
  const token = ((await login.json()) as { data: { jwtToken: string } }).data.jwtToken;
  const command = example.replace("http://localhost:3000", api.url).replace("{TOKEN/KEY}", token).trimEnd();
  const { stdout } = await run("bash", ["-c", `${command} --silent --show-error --write-out '\\n%{http_code}'`]);
  // --write-out puts the status on a line of its own after the body
  const cut = stdout.lastIndexOf("\n");
  expect(stdout.slice(cut + 1)).toBe("201");
  expect(JSON.parse(stdout.slice(0, cut))).toEqual({
    data: { id: expect.any(Number), key: expect.stringMatching(/^ak_[A-Za-z0-9_-]{43}$/), name: "test-api-key", description: "This is a test API key" },
    message: "API key successfully created",
    status: "success",
  });
  await getDb().apiKey.deleteMany({ where: { name: "test-api-key" } });
});

test("the lean server serves the same OpenAPI document as the web app", async () => {
  const response = await fetch(`${api.url}/api/v1/openapi.json`);
  expect(response.status).toBe(200);
  const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(document.openapi).toBe("3.1.0");
  expect(Object.keys(document.paths)).toContain("/api/v1/api-keys/{id}/roll");
});
