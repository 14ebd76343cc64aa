import { getDb } from "@keysmith/db";
import { KEY_STATUSES, ZListApiKeysQuery } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { listApiKeys, revokeApiKey, rollApiKey, statusOf } from "../src/index.ts";
import { create, ownerPrincipal } from "./helpers.ts";

const DAY = 86_400_000;

/** Every page of a list, following nextCursor; the query is parsed as callers' input is. */
async function allPages(principal: Awaited<ReturnType<typeof ownerPrincipal>>, query: Record<string, unknown>, now = new Date()) {
  const pages: number[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listApiKeys({ principal, query: ZListApiKeysQuery.parse({ ...query, cursor }), now });
    pages.push(page.items.map((key) => key.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe("listApiKeys pages", () => {
  test("pages of `limit` by newest, oldest and last used cover every key exactly once, in the order of the unpaged list", async () => {
    const owner = await ownerPrincipal();
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await create(owner, { name: `key ${i}` })).id);
    // equal creation times must not lose or repeat keys across a page boundary
    await getDb().apiKey.updateMany({ where: { id: { in: ids.slice(2, 5) } }, data: { createdAt: new Date("2026-01-01T00:00:00Z") } });
    const usedAt = (index: number, at: string) => getDb().apiKey.updateMany({ where: { id: ids[index] }, data: { lastUsedAt: new Date(at) } });
    await usedAt(1, "2026-03-01T00:00:00Z");
    await usedAt(5, "2026-05-01T00:00:00Z");
    await usedAt(3, "2026-05-01T00:00:00Z");

    for (const sort of ["newest", "oldest", "last_used"] as const) {
      const unpaged = (await listApiKeys({ principal: owner, query: { sort }, now: new Date() })).items.map((key) => key.id);
      const pages = await allPages(owner, { sort, limit: 2 });
      expect(pages.map((page) => page.length), sort).toEqual([2, 2, 2, 1]);
      expect(pages.flat(), sort).toEqual(unpaged);
    }
    const lastUsed = (await listApiKeys({ principal: owner, query: { sort: "last_used" }, now: new Date() })).items.map((key) => key.id);
    // most recent first, ties by id (newest first), never-used last
    expect(lastUsed.slice(0, 3)).toEqual([ids[5], ids[3], ids[1]]);
    expect(lastUsed.slice(3)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
  });

  test("without a limit every key comes in one answer with no next cursor", async () => {
    const owner = await ownerPrincipal();
    for (let i = 0; i < 3; i += 1) await create(owner, { name: `k${i}` });
    const page = await listApiKeys({ principal: owner, now: new Date() });
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
  });

  test("a cursor from another sort, one not given out, or one holding values out of range is BAD_REQUEST naming cursor", async () => {
    const owner = await ownerPrincipal();
    for (let i = 0; i < 3; i += 1) await create(owner, { name: `k${i}` });
    const { nextCursor } = await listApiKeys({ principal: owner, query: { limit: 1 }, now: new Date() });
    const crafted = (position: object) => Buffer.from(JSON.stringify(position)).toString("base64url");
    for (const query of [
      { sort: "oldest" as const, cursor: nextCursor ?? "missing" },
      { cursor: "not-a-cursor" },
      { cursor: crafted({ sort: "newest", at: null, id: 1 }) },
      // values PostgreSQL would refuse (an id past the column, a year it cannot store) are refused before it
      { cursor: crafted({ sort: "newest", at: "2026-01-01T00:00:00.000Z", id: 2 ** 40 }) },
      { cursor: crafted({ sort: "newest", at: "-271821-04-20T00:00:00.000Z", id: 1 }) },
    ]) {
      await expect(listApiKeys({ principal: owner, query, now: new Date() })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        details: { fields: { cursor: [expect.stringMatching(/not one this list gave out/)] } },
      });
    }
  });
});

describe("listApiKeys narrows", () => {
  test("search matches part of the name in any case, or the start of the prefix with or without its ellipsis; _ and % are plain characters", async () => {
    const owner = await ownerPrincipal();
    const prod = await create(owner, { name: "Production server" });
    const under = await create(owner, { name: "ci_runner" });
    await create(owner, { name: "cixrunner" });
    await create(owner, { name: "100% staging" });
    await create(owner, { name: "10 staging" });
    const names = async (search: string) => (await listApiKeys({ principal: owner, query: { search }, now: new Date() })).items.map((key) => key.name).sort();

    expect(await names("production")).toEqual(["Production server"]);
    expect(await names("ci_")).toEqual(["ci_runner"]);
    expect(await names("0%")).toEqual(["100% staging"]);
    expect(await names("%")).toEqual(["100% staging"]);
    // the ellipsis alone is no prefix: it matches no key (their names hold none)
    expect(await names("…")).toEqual([]);
    const prefix = prod.key.slice(0, 7);
    expect(await names(prefix)).toContain("Production server");
    expect(await names(`${prefix}…`)).toContain("Production server");
    expect(await names(under.key.slice(0, 7))).toContain("ci_runner");
  });

  test("each status filter selects exactly the keys whose summary has that status", async () => {
    const owner = await ownerPrincipal();
    const now = new Date();
    await create(owner, { name: "active" });
    await create(owner, { name: "far expiry", expires_at: new Date(now.getTime() + 30 * DAY) });
    await create(owner, { name: "expiring", expires_at: new Date(now.getTime() + 2 * DAY) });
    const revoked = await create(owner, { name: "revoked" });
    await revokeApiKey({ principal: owner, id: revoked.id, now });
    const rolled = await create(owner, { name: "rolled" });
    await rollApiKey({ principal: owner, id: rolled.id, graceSeconds: 3600, now });
    const expired = await create(owner, { name: "expired", expires_at: new Date(now.getTime() + 1000) });

    // ten minutes later: "expired" has expired, "rolled" is still in its grace
    const later = new Date(now.getTime() + 10 * 60_000);
    const all = (await listApiKeys({ principal: owner, now: later })).items;
    expect(all.find((key) => key.id === expired.id)?.status).toBe("expired");
    const counts: Record<string, number> = {};
    for (const status of KEY_STATUSES) {
      const filtered = (await listApiKeys({ principal: owner, query: { status }, now: later })).items;
      expect(filtered.map((key) => key.id).sort(), status).toEqual(all.filter((key) => key.status === status).map((key) => key.id).sort());
      counts[status] = filtered.length;
    }
    // the roll's successor is active too
    expect(counts).toEqual({ active: 3, expiring: 1, rolling: 1, expired: 1, revoked: 1 });
  });

  test("statusOf: a revocation in the past wins over expiry; one in the future is a roll's grace", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const at = (offset: number) => new Date(now.getTime() + offset);
    expect(statusOf({ revokedAt: at(-1), expiresAt: at(-2) }, now)).toBe("revoked");
    expect(statusOf({ revokedAt: at(DAY), expiresAt: at(-1) }, now)).toBe("expired");
    expect(statusOf({ revokedAt: at(DAY), expiresAt: at(2 * DAY) }, now)).toBe("rolling");
    expect(statusOf({ revokedAt: null, expiresAt: at(7 * DAY) }, now)).toBe("expiring");
    expect(statusOf({ revokedAt: null, expiresAt: at(7 * DAY + 1) }, now)).toBe("active");
    expect(statusOf({ revokedAt: null, expiresAt: null }, now)).toBe("active");
  });

  test("another user's keys never appear, whatever the search", async () => {
    const owner = await ownerPrincipal();
    const other = await ownerPrincipal();
    await create(other, { name: "shared name" });
    expect((await listApiKeys({ principal: owner, query: { search: "shared" }, now: new Date() })).items).toEqual([]);
  });
});
