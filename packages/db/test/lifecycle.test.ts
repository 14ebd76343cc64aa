import { rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

import pg from "pg";
import { afterAll, expect, test } from "vitest";

import { checkConnection, DatabaseSetupError, freePort, scratchFolder, startEmbeddedPostgres } from "../src/lifecycle/index.ts";

const folders: string[] = [];
async function tempDir() {
  const folder = await scratchFolder("keysmith-lifecycle-");
  folders.push(folder);
  return path.join(folder, "data");
}
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    return result.rows;
  } finally {
    await client.end();
  }
}

test("the embedded server keeps its data across a stop and a start", async () => {
  const dataDir = await tempDir();
  const port = await freePort();
  const first = await startEmbeddedPostgres({ dataDir, port, quiet: true });
  await query(first.url, "create table kept (value text); insert into kept values ('still here')");
  await first.stop();

  const second = await startEmbeddedPostgres({ dataDir, port, quiet: true });
  try {
    expect(await query(second.url, "select value from kept")).toEqual([{ value: "still here" }]);
  } finally {
    await second.stop();
  }
});

test("a second start on a running data folder says another instance is up", async () => {
  const dataDir = await tempDir();
  const running = await startEmbeddedPostgres({ dataDir, port: await freePort(), quiet: true });
  try {
    const second = startEmbeddedPostgres({ dataDir, port: await freePort(), quiet: true });
    await expect(second).rejects.toBeInstanceOf(DatabaseSetupError);
    await expect(second).rejects.toThrow(/already running .*stop it first/);
  } finally {
    await running.stop();
  }
});

test("a port taken by another program names the setting to change", async () => {
  const blocker = net.createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
  try {
    await expect(startEmbeddedPostgres({ dataDir: await tempDir(), port, quiet: true })).rejects.toThrow(
      `Port ${port} is already in use by another program: set KEYSMITH_PG_PORT`,
    );
  } finally {
    blocker.close();
  }
});

test("an unreachable DATABASE_URL gets one sentence saying what to do, without the password", async () => {
  const port = await freePort();
  const attempt = checkConnection(`postgresql://someone:hunter2@127.0.0.1:${port}/keysmith`);
  await expect(attempt).rejects.toBeInstanceOf(DatabaseSetupError);
  await expect(attempt).rejects.toThrow(`Nothing accepts connections at 127.0.0.1:${port}/keysmith`);
  await expect(attempt).rejects.not.toThrow(/hunter2/);
});
