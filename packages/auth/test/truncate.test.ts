import { getPool } from "@keysmith/db";
import { expect, test, vi } from "vitest";

import { verifyApiKey } from "../src/index.ts";
import { newAccount, storeKey, warm } from "./helpers.ts";

// its own file (its own database): the test empties the tables
// key_usage_minutes refers to api_keys, so emptying keys takes CASCADE, as emptying users always did
test.each(["TRUNCATE api_keys CASCADE", "TRUNCATE users CASCADE"])("a cached key is refused within a second of %s (no row triggers fire: every cache is emptied)", async (sql) => {
  const { user } = await newAccount();
  const { key } = await storeKey(user.id);
  await warm(key);

  await getPool().query(sql);
  await vi.waitFor(async () => {
    expect((await verifyApiKey(key)).result.code).toBe("NOT_FOUND");
  }, { timeout: 1_000, interval: 10 });
});
