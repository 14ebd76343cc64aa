import pg from "pg";
import { expect, test, vi } from "vitest";

import { getPool } from "../src/index.ts";

// patches/pg@8.23.1.patch: pg's Query reads the caller's config in place instead of copying it first. The first
// test fails without the patch; the others hold the patched Query to pg's behaviour as Keysmith and Prisma use it.

test("constructing a pg Query from a config object does not copy it through Object.getOwnPropertyDescriptors", () => {
  const config = { name: "n", text: "SELECT $1::int AS n", values: [1] };
  const copy = vi.spyOn(Object, "getOwnPropertyDescriptors");
  let query: pg.Query;
  try {
    query = new pg.Query(config);
  } finally {
    copy.mockRestore();
  }
  expect(copy.mock.calls.filter(([copied]) => copied === config)).toEqual([]);
  const made = query as unknown as { text: string; name: string; values: unknown[] };
  expect([made.text, made.name, made.values]).toEqual(["SELECT $1::int AS n", "n", [1]]);
});

test("a pg query config is run as given and left unchanged: values passed beside it win for that call only, and its reuse answers each time", async () => {
  const pool = getPool();
  const config = { name: "keysmith_test_config", text: "SELECT $1::int AS n", values: [1] };
  const before = structuredClone(config);
  expect((await pool.query<{ n: number }>(config)).rows).toEqual([{ n: 1 }]);
  expect((await pool.query<{ n: number }>(config, [2])).rows).toEqual([{ n: 2 }]);
  expect((await pool.query<{ n: number }>(config)).rows).toEqual([{ n: 1 }]);
  expect(config).toStrictEqual(before);
});

test("a pg query takes its callback from beside the config, or in place of the values, and its text from a getter the config inherits", async () => {
  const pool = getPool();
  const client = await pool.connect();
  try {
    const byCallback = (run: (callback: (error: Error | null, result: pg.QueryResult) => void) => void) =>
      new Promise<unknown[]>((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result.rows))));
    expect(await byCallback((callback) => client.query("SELECT $1::int AS n", [3], callback))).toEqual([{ n: 3 }]);
    expect(await byCallback((callback) => client.query({ text: "SELECT $1::int AS n", values: [4] }, callback))).toEqual([{ n: 4 }]);
    const inherited = Object.create({
      get text() {
        return "SELECT 5 AS n";
      },
    }) as pg.QueryConfig;
    expect((await client.query(inherited)).rows).toEqual([{ n: 5 }]);
  } finally {
    client.release();
  }
});

test("a pg query config shaped as Prisma's adapter sends it (rows as arrays, its own type parsers) is answered with both", async () => {
  const config = {
    text: "SELECT $1::int AS n, 'x'::text AS t",
    values: [7],
    rowMode: "array",
    types: { getTypeParser: () => (value: string) => `parsed ${value}` },
  } as unknown as pg.QueryConfig;
  expect((await getPool().query(config)).rows).toEqual([["parsed 7", "parsed x"]]);
});
