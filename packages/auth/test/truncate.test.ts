import { getPool } from "@keysmith/db";
import { expect, test, vi } from "vitest";

import { verifyApiKey } from "../src/index.ts";
import { listenerConnected, newAccount, storeKey } from "./helpers.ts";

// its own file (its own database): the test empties the tables
test.each(["TRUNCATE api_keys", "TRUNCATE users CASCADE"])("a cached key is refused within a second of %s (no row triggers fire: every cache is emptied)", async (sql) => {
  const { user } = await newAccount();
  const { key } = await storeKey(user.id);
  await listenerConnected();
  await vi.waitFor(async () => {
    await verifyApiKey(key);
    const query = vi.spyOn(getPool(), "query");
    try {
      expect((await verifyApiKey(key)).result.code).toBe("VALID");
      expect(query).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  }, { timeout: 2_000, interval: 10 });

  await getPool().query(sql);
  await vi.waitFor(async () => {
    expect((await verifyApiKey(key)).result.code).toBe("NOT_FOUND");
  }, { timeout: 1_000, interval: 10 });
});
