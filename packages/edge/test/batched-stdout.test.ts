import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach, expect, test, vi } from "vitest";

import { batchedStdout, FLUSH_BYTES, FLUSH_MS } from "../src/batched-stdout.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

function captureWrites(): string[] {
  const writes: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  return writes;
}

test("100 lines written over several turns of the event loop reach stdout in one write, in order, FLUSH_MS after the first", async () => {
  const writes = captureWrites();
  const destination = batchedStdout();
  for (let i = 0; i < 100; i++) {
    destination.write(`line ${i}\n`);
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  expect(writes).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, FLUSH_MS + 20));
  vi.restoreAllMocks();
  expect(writes).toEqual([Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join("")]);
});

test("once FLUSH_BYTES are pending they are written at once, without waiting for the timer", () => {
  const writes = captureWrites();
  const destination = batchedStdout();
  const line = `${"x".repeat(1023)}\n`;
  for (let i = 0; i < FLUSH_BYTES / 1024; i++) destination.write(line);
  vi.restoreAllMocks();
  expect(writes).toEqual([line.repeat(FLUSH_BYTES / 1024)]);
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
