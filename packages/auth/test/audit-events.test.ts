import { getDb, SessionKind } from "@keysmith/db";
import { afterEach, describe, expect, test, vi } from "vitest";

import { endSession, login, resolvePrincipal, signUp, sweepAuditLog } from "../src/index.ts";

const client = { address: "203.0.113.40", userAgent: "curl/8.5.0" };

async function eventsOf(userId: number | null, address = client.address) {
  const rows = await getDb().auditEvent.findMany({ where: { userId, clientAddress: address }, orderBy: { id: "asc" } });
  return rows.map((row) => [row.event, row.actorType, row.clientAddress, row.userAgent, row.details]);
}

/** Stored rows as text (ids are bigints), to search for what must not be there. */
async function storedText(where: { userId?: number; clientAddress?: string }) {
  const rows = await getDb().auditEvent.findMany({ where });
  return JSON.stringify(rows.map((row) => ({ ...row, id: row.id.toString() })));
}

function freshName() {
  return `audit_${Math.random().toString(36).slice(2, 10)}`;
}

describe("account events in the audit log", () => {
  test("sign-up, a web login, a token login and logout each record their events with the client's address and user agent; the password appears nowhere", async () => {
    const username = freshName();
    const password = "a password for auditing";
    const user = await signUp({ username, email: `${username}@example.test`, name: "Audit", password }, { client, now: new Date() });
    await login({ username, password }, SessionKind.WEB, { clientAddress: client.address, userAgent: client.userAgent, now: new Date() });
    const token = await login({ username: `${username}@example.test`, password }, SessionKind.ACCESS_TOKEN, { clientAddress: client.address, userAgent: client.userAgent, now: new Date() });
    const { principal } = await resolvePrincipal(new Headers({ authorization: `Bearer ${token.token}`, "user-agent": client.userAgent }), {
      now: new Date(),
      clientAddress: client.address,
      renewSessions: false,
    });
    if (!principal) throw new Error("the token did not resolve");
    await endSession(principal);

    expect(await eventsOf(user.id)).toEqual([
      ["account.signed_up", "anonymous", client.address, client.userAgent, {}],
      ["login.succeeded", "web_session", client.address, client.userAgent, {}],
      ["login.succeeded", "access_token", client.address, client.userAgent, {}],
      ["token.issued", "access_token", client.address, client.userAgent, {}],
      ["session.logged_out", "access_token", client.address, client.userAgent, {}],
    ]);
    const stored = await storedText({ userId: user.id });
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(token.token);
  });

  test("a wrong password is login.failed on the account's log; a name that matches no one is recorded with no account; a deactivated account's login is login.failed for that reason", async () => {
    const username = freshName();
    const address = "203.0.113.41";
    const user = await signUp({ username, email: `${username}@example.test`, name: "Audit", password: "the right password" });
    const context = { clientAddress: address, userAgent: client.userAgent, now: new Date() };
    await expect(login({ username, password: "a wrong password" }, SessionKind.WEB, context)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const nobody = freshName();
    await expect(login({ username: nobody, password: "whatever it is" }, SessionKind.WEB, context)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await getDb().user.update({ where: { id: user.id }, data: { isActive: false } });
    await expect(login({ username, password: "the right password" }, SessionKind.WEB, context)).rejects.toMatchObject({ code: "FORBIDDEN" });

    expect((await eventsOf(user.id, address)).map(([event, , , , details]) => [event, details])).toEqual([
      ["login.failed", { reason: "wrong_credentials" }],
      ["login.failed", { reason: "deactivated" }],
    ]);
    expect((await eventsOf(null, address)).map(([event]) => event)).toEqual(["login.failed"]);
    // the name typed is not kept
    expect(await storedText({ clientAddress: address })).not.toContain(nobody);
  });

  test("attempts refused by the throttle are recorded as login.throttled once a minute per address and account, not once per attempt", async () => {
    const username = freshName();
    const address = "203.0.113.42";
    const user = await signUp({ username, email: `${username}@example.test`, name: "Audit", password: "the right password" });
    const at = new Date();
    const context = { clientAddress: address, userAgent: client.userAgent, now: at };
    // five failures for one account from one address, then that pair is refused
    for (let i = 0; i < 5; i += 1) await login({ username, password: "wrong password" }, SessionKind.WEB, context).catch(() => undefined);
    for (let i = 0; i < 4; i += 1) {
      await expect(login({ username, password: "wrong password" }, SessionKind.WEB, context)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    }
    const later = { ...context, now: new Date(at.getTime() + 61_000) };
    await expect(login({ username, password: "wrong password" }, SessionKind.WEB, later)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });

    const events = (await eventsOf(user.id, address)).map(([event]) => event);
    expect(events.filter((event) => event === "login.failed")).toHaveLength(5);
    expect(events.filter((event) => event === "login.throttled")).toHaveLength(2);
  });
});

describe("audit-log retention", () => {
  afterEach(() => vi.unstubAllEnvs());

  test("the sweep deletes events older than KEYSMITH_AUDIT_DAYS and keeps younger ones", async () => {
    vi.stubEnv("KEYSMITH_AUDIT_DAYS", "30");
    const username = freshName();
    const user = await signUp({ username, email: `${username}@example.test`, name: "Audit", password: "a password for auditing" });
    // long before any other test's events, which this sweep must leave alone
    const now = new Date("2000-03-01T00:00:00Z");
    const day = 86_400_000;
    await getDb().auditEvent.createMany({
      data: [31, 29].map((daysAgo) => ({ at: new Date(now.getTime() - daysAgo * day), userId: user.id, event: "login.failed", actorType: "anonymous", details: { days_ago: daysAgo } })),
    });
    expect(await sweepAuditLog(now)).toBeGreaterThanOrEqual(1);
    const left = await getDb().auditEvent.findMany({ where: { userId: user.id, event: "login.failed" } });
    expect(left.map((row) => row.details)).toEqual([{ days_ago: 29 }]);
  });
});
