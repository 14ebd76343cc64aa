import { getDb, getPool, SessionKind } from "@keysmith/db";
import { describe, expect, test, vi } from "vitest";

import { login, ownerCache, sessionCache, validateSessionToken, writeRenewals } from "../src/index.ts";
import { bearer, changeElsewhere, changeUnheard, holdNextQuery, listenerConnected, newAccount, resolve } from "./helpers.ts";

const DAY = 24 * 60 * 60 * 1000;

/** Logs in and validates the token until the answer comes from the cache (no query), proving it is warm. */
async function warmToken(kind: SessionKind) {
  const { user, username, password } = await newAccount();
  const { token } = await login({ username, password }, kind, { clientAddress: "198.51.100.30", now: new Date() });
  await listenerConnected();
  await vi.waitFor(async () => {
    await validateSessionToken(token, kind, new Date(), { renew: false });
    const query = vi.spyOn(getPool(), "query");
    try {
      expect((await validateSessionToken(token, kind, new Date(), { renew: false })).ok).toBe(true);
      expect(query).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  }, { timeout: 2000, interval: 10 });
  return { user, token, id: token.split(".")[0] ?? "" };
}

describe("the session cache", () => {
  test("a warm access token is resolved with no database query at all", async () => {
    const { token, user } = await warmToken(SessionKind.ACCESS_TOKEN);
    const pool = vi.spyOn(getPool(), "query");
    const prisma = vi.spyOn(getDb().session, "findUnique");
    try {
      const resolution = await resolve(bearer(token), new Date());
      expect(resolution.principal).toMatchObject({ via: "token", user: { id: user.id } });
      // neither the raw pool (where sessions are looked up) nor Prisma
      expect(pool).not.toHaveBeenCalled();
      expect(prisma).not.toHaveBeenCalled();
    } finally {
      pool.mockRestore();
      prisma.mockRestore();
    }
  });

  test("a warm access token is checked and resolved as values, not promises", async () => {
    const { token, user } = await warmToken(SessionKind.ACCESS_TOKEN);
    const check = validateSessionToken(token, SessionKind.ACCESS_TOKEN, new Date(), { renew: false });
    expect(check).not.toBeInstanceOf(Promise);
    expect(check).toMatchObject({ ok: true });
    const resolution = resolve(bearer(token), new Date());
    expect(resolution).not.toBeInstanceOf(Promise);
    expect(resolution).toMatchObject({ principal: { via: "token", user: { id: user.id } } });
  });

  test("a cached token whose row is deleted elsewhere (another instance's logout) is refused within a second", async () => {
    const { token, id } = await warmToken(SessionKind.ACCESS_TOKEN);
    await getPool().query("DELETE FROM sessions WHERE id = $1", [id]);
    await vi.waitFor(async () => expect((await validateSessionToken(token, SessionKind.ACCESS_TOKEN, new Date(), { renew: false })).ok).toBe(false), { timeout: 1000, interval: 10 });
  });

  test("a cached session whose user is deactivated elsewhere is refused as inactive within a second", async () => {
    const { token, user } = await warmToken(SessionKind.WEB);
    await getPool().query("UPDATE users SET is_active = false WHERE id = $1", [user.id]);
    await vi.waitFor(async () => expect(await validateSessionToken(token, SessionKind.WEB, new Date(), { renew: false })).toEqual({ ok: false, reason: "inactive" }), { timeout: 1000, interval: 10 });
  });

  test("a cached session whose expiry is brought forward elsewhere is refused as expired within a second", async () => {
    const { token, id } = await warmToken(SessionKind.WEB);
    await getPool().query("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
    await vi.waitFor(async () => expect(await validateSessionToken(token, SessionKind.WEB, new Date(), { renew: false })).toEqual({ ok: false, reason: "expired" }), { timeout: 1000, interval: 10 });
  });

  test("a renewal is answered at once and written with the next batch: the row keeps its old expiry until writeRenewals", async () => {
    const { token, id } = await warmToken(SessionKind.WEB);
    const row = async () => (await getDb().session.findUniqueOrThrow({ where: { id } })).expiresAt.getTime();
    const before = await row();
    // 20 days on, the session has 10 left: due to slide
    const later = new Date(Date.now() + 20 * DAY);
    const check = await validateSessionToken(token, SessionKind.WEB, later, { renew: true });
    expect(check.ok && check.value.renewed).toBe(true);
    expect(await row()).toBe(before);
    expect(await writeRenewals()).toBeGreaterThanOrEqual(1);
    expect(await row()).toBe(later.getTime() + 30 * DAY);
  });

  test("a wrong secret with a cached session's id is refused, like an unknown token", async () => {
    const { token } = await warmToken(SessionKind.ACCESS_TOKEN);
    const [id] = token.split(".");
    const forged = `${id ?? ""}.${"a".repeat(24)}`;
    expect(await validateSessionToken(forged, SessionKind.ACCESS_TOKEN, new Date(), { renew: false })).toEqual({ ok: false, reason: "unknown" });
    expect(sessionCache()?.size).toBeGreaterThan(0);
  });
});

test("three checks of an access token not cached, made at the same moment, read its session once, and all three accept it", async () => {
  const { token, user } = await warmToken(SessionKind.ACCESS_TOKEN);
  sessionCache()?.clear();
  const query = vi.spyOn(getPool(), "query");
  try {
    const now = new Date();
    const checks = await Promise.all([1, 2, 3].map(() => Promise.resolve(validateSessionToken(token, SessionKind.ACCESS_TOKEN, now, { renew: false }))));
    expect(checks.map((check) => (check.ok ? check.value.user.id : null))).toEqual([user.id, user.id, user.id]);
    expect(query.mock.calls.filter(([config]) => (config as { name?: string } | undefined)?.name === "keysmith_find_session")).toHaveLength(1);
  } finally {
    query.mockRestore();
  }
});

test("a check of a token made right after its user's deactivation is heard, while a read of its session from before it is in flight, reads again and is refused as inactive; the earlier check is accepted", async () => {
  const { token, user } = await warmToken(SessionKind.ACCESS_TOKEN);
  sessionCache()?.clear();
  const { hasRead, release } = holdNextQuery("keysmith_find_session");
  const check = () => Promise.resolve(validateSessionToken(token, SessionKind.ACCESS_TOKEN, new Date(), { renew: false }));
  const before = check();
  await hasRead;

  // the check is made as soon as the listener has handled the owner's notification (before anything it defers)
  // (wrapped, so that waiting for it to start does not wait for its answer)
  const afterHeard = new Promise<{ answer: ReturnType<typeof check> }>((resolve) => {
    const forget = ownerCache.delete.bind(ownerCache);
    vi.spyOn(ownerCache, "delete").mockImplementation((name: string) => {
      forget(name);
      if (name === String(user.id)) queueMicrotask(() => resolve({ answer: check() }));
    });
  });
  await changeElsewhere("UPDATE users SET is_active = false WHERE id = $1", user.id);
  const after = (await afterHeard).answer;
  release();
  expect(await after).toMatchObject({ ok: false, reason: "inactive" });
  expect((await before).ok).toBe(true);
});

describe("a cached token in use is read again before its entry expires", () => {
  /** The statements sent from now on, by name. */
  function sessionReads() {
    const query = vi.spyOn(getPool(), "query");
    return () => query.mock.calls.filter(([statement]) => (statement as { name?: string } | undefined)?.name === "keysmith_find_session").length;
  }

  test("an access token checked 21 s after it was cached is answered from the cache (without a promise) and read once in the background; checked at 35 s it is answered without a promise", async () => {
    const { token, id } = await warmToken(SessionKind.ACCESS_TOKEN);
    const start = Date.now();
    const check = (seconds: number) => validateSessionToken(token, SessionKind.ACCESS_TOKEN, new Date(start + seconds * 1000), { renew: false });
    // cached afresh at `start`
    sessionCache()?.delete(id);
    expect((await check(0)).ok).toBe(true);

    const reads = sessionReads();
    const noticed = check(21);
    expect(noticed).not.toBeInstanceOf(Promise);
    expect(noticed).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(sessionCache()?.known.hasFresh(id, start + 21_000, 1)).toBe(true));
    expect(reads()).toBe(1);

    const later = check(35);
    expect(later).not.toBeInstanceOf(Promise);
    expect(later).toMatchObject({ ok: true });
  });

  test("a web session renewed (sliding) by the request whose check also read it again keeps its new expiry: the next request at 22 s is not renewed again", async () => {
    const { token, id } = await warmToken(SessionKind.WEB);
    // 16 days on: under 15 days left, so a request with renew renews it
    const start = Date.now() + 16 * DAY;
    const check = (seconds: number, renew: boolean) => validateSessionToken(token, SessionKind.WEB, new Date(start + seconds * 1000), { renew });
    sessionCache()?.delete(id);
    expect((await check(0, false)).ok).toBe(true);

    const renewed = await check(21, true);
    expect(renewed).toMatchObject({ ok: true, value: { renewed: true } });
    await vi.waitFor(() => expect(sessionCache()?.known.hasFresh(id, start + 21_000, 1)).toBe(true));
    expect(await check(22, true)).toMatchObject({ ok: true, value: { renewed: false } });
  });

  /**
   * The token is accepted at 0 s (cached afresh); `change` (made so no
   * instance hears of it) leaves it accepted from the cache at 21 s, and the
   * read that check starts makes it refused with `reason`.
   */
  async function refusedAfterRead(token: string, id: string, change: () => Promise<void>, reason: "unknown" | "inactive"): Promise<void> {
    const start = Date.now();
    const check = (seconds: number) => validateSessionToken(token, SessionKind.ACCESS_TOKEN, new Date(start + seconds * 1000), { renew: false });
    sessionCache()?.delete(id);
    expect((await check(0)).ok).toBe(true);
    await change();
    expect(await check(21)).toMatchObject({ ok: true });
    await vi.waitFor(async () => expect(await check(22)).toEqual({ ok: false, reason }));
  }

  test("an access token deleted without a notification is accepted from the cache until a check in its entry's last third reads it again; the next is refused", async () => {
    const { token, id } = await warmToken(SessionKind.ACCESS_TOKEN);
    await refusedAfterRead(token, id, () => changeUnheard("DELETE FROM sessions WHERE id = $1", id), "unknown");
  });

  test("an access token whose user is deactivated without a notification is accepted from the cache until a check in its entry's last third reads it again; the next is refused as inactive", async () => {
    const { token, id, user } = await warmToken(SessionKind.ACCESS_TOKEN);
    await refusedAfterRead(token, id, () => changeUnheard("UPDATE users SET is_active = false WHERE id = $1", user.id), "inactive");
  });
});
