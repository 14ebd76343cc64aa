/**
 * InvalidatedCache.readThroughShared on its own, with reads the test answers
 * by hand: who joins a read in flight, and who reads for themselves.
 */
import { expect, test } from "vitest";

import { InvalidatedCache } from "../src/invalidated-cache.ts";

const NOW = 1_000_000;

function cache() {
  return new InvalidatedCache<string>((_value): _value is string => true, { maxKnown: 10, maxUnknown: 0, ttlMs: 30_000 });
}

/** A read whose answer the test gives, counting how many times it was started. */
function handRead() {
  const pending: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const read = () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
  return { read, pending };
}

test("a read joined while shared gets its answer: one read started for two callers, both answered 'row 1', and the answer cached", async () => {
  const owners = cache();
  const { read, pending } = handRead();
  const first = owners.readThroughShared("7", NOW, read);
  const second = owners.readThroughShared("7", NOW, read);
  expect(pending).toHaveLength(1);
  pending[0]?.resolve("row 1");
  expect([await first, await second]).toEqual(["row 1", "row 1"]);
  expect(owners.get("7", NOW)).toBe("row 1");
});

test("a shared read that fails: the caller who started it gets the error, one who joined it reads for themselves and gets their own answer", async () => {
  const owners = cache();
  const { read, pending } = handRead();
  const first = owners.readThroughShared("7", NOW, read);
  const second = owners.readThroughShared("7", NOW, read);
  pending[0]?.reject(new Error("connection lost"));
  await expect(first).rejects.toThrow("connection lost");
  await expect.poll(() => pending.length).toBe(2);
  pending[1]?.resolve("row 2");
  expect(await second).toBe("row 2");
});

test("after the key's invalidation, clear() or deleteWhere(), a caller does not join the read in flight: each starts a read of its own", async () => {
  for (const invalidate of [(c: InvalidatedCache<string>) => c.delete("7"), (c: InvalidatedCache<string>) => c.clear(), (c: InvalidatedCache<string>) => c.deleteWhere(() => true)]) {
    const owners = cache();
    const { read, pending } = handRead();
    const before = owners.readThroughShared("7", NOW, read);
    invalidate(owners);
    const after = owners.readThroughShared("7", NOW, read);
    expect(pending).toHaveLength(2);
    pending[0]?.resolve("old row");
    pending[1]?.resolve("new row");
    expect([await before, await after]).toEqual(["old row", "new row"]);
    // the read from before the invalidation is not cached; the one after it is
    expect(owners.get("7", NOW)).toBe("new row");
  }
});

test("a shared read started while an unshared readThrough of the key is in flight is joined, and once it is answered a later caller starts a new read", async () => {
  const owners = cache();
  const { read, pending } = handRead();
  const unshared = owners.readThrough("7", NOW, read);
  const shared = owners.readThroughShared("7", NOW, read);
  const joined = owners.readThroughShared("7", NOW, read);
  expect(pending).toHaveLength(2);
  pending[1]?.resolve("shared row");
  expect([await shared, await joined]).toEqual(["shared row", "shared row"]);
  // the unshared read still holds the watch; the shared one is over, so it is not handed out again
  const later = owners.readThroughShared("7", NOW, read);
  expect(pending).toHaveLength(3);
  pending[0]?.resolve("unshared row");
  pending[2]?.resolve("later row");
  expect([await unshared, await later]).toEqual(["unshared row", "later row"]);
});
