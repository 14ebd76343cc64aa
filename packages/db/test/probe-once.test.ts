import type pg from "pg";
import { expect, test } from "vitest";

import { getPool } from "../src/index.ts";
import { probeOnce } from "../src/probe-once.ts";

test("probeOnce asks once for callers at the same time, and asks again after a failed question, whose callers get its error", async () => {
  const answers = new WeakMap<pg.Pool, Promise<boolean>>();
  const pool = getPool();
  let asked = 0;
  const failing = () => {
    asked += 1;
    return Promise.reject(new Error("the database is down"));
  };
  const both = [probeOnce(answers, pool, failing), probeOnce(answers, pool, failing)];
  for (const answer of both) await expect(answer).rejects.toThrow("the database is down");
  expect(asked).toBe(1);

  const answering = () => {
    asked += 1;
    return Promise.resolve(true);
  };
  expect(await probeOnce(answers, pool, answering)).toBe(true);
  expect(await probeOnce(answers, pool, answering)).toBe(true);
  expect(asked).toBe(2);
});
