import { describe, expect, test } from "vitest";

import { disconnectDb, onDisconnect } from "../src/client.ts";
import { getPool } from "../src/pool.ts";

describe("disconnectDb", () => {
  test("when one closer fails, the others still run, the pool is still ended, and the failure is thrown afterwards with its message", async () => {
    const pool = getPool();
    await pool.query("SELECT 1");
    const ran: string[] = [];
    onDisconnect(() => Promise.reject(new Error("session renewals not written: connection refused")));
    onDisconnect(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      ran.push("slow closer");
    });

    await expect(disconnectDb()).rejects.toThrow(/session renewals not written: connection refused/);
    expect(ran).toEqual(["slow closer"]);
    expect(pool.ended).toBe(true);
    // the next use opens a new pool
    expect(getPool()).not.toBe(pool);
  });
});
