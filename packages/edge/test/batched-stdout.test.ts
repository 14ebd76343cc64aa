import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach, expect, test, vi } from "vitest";

import { batchedStdout } from "../src/batched-stdout.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

test("100 lines written in one turn of the event loop reach stdout in one write, in order, after that turn", async () => {
  const writes: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  const destination = batchedStdout();
  for (let i = 0; i < 100; i++) destination.write(`line ${i}\n`);
  expect(writes).toEqual([]);
  await new Promise((resolve) => setImmediate(resolve));
  vi.restoreAllMocks();
  expect(writes).toEqual([Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join("")]);
});

test("lines still pending when the process exits in the same turn are written before it ends", () => {
  const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/batched-stdout.ts");
  const script = `import { batchedStdout } from ${JSON.stringify(source)}; const d = batchedStdout(); d.write("first\\n"); d.write("last\\n"); process.exit(3);`;
  let output = "";
  try {
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  } catch (error) {
    output = (error as { stdout: string; status: number }).stdout;
    expect((error as { status: number }).status).toBe(3);
  }
  expect(output).toBe("first\nlast\n");
});
