import { SessionKind } from "@keysmith/db";

import { recordAudit, type RequestClient } from "./record-audit.ts";

/** A refused attempt is recorded once a minute per address and account at most: a flood must not become a flood of writes. */
const THROTTLE_RECORD_MS = 60_000;
const lastThrottleRecord = new Map<string, number>();

export interface LoginFacts {
  at: Date;
  client: RequestClient;
  /** The account tried, or null when the name matched none (never stored: an owner's log must not hold others' typing). */
  userId: number | null;
}

export async function recordLoginSucceeded(facts: LoginFacts & { kind: SessionKind }): Promise<void> {
  const actor = { type: facts.kind === SessionKind.WEB ? ("web_session" as const) : ("access_token" as const) };
  await recordAudit({ event: "login.succeeded", at: facts.at, userId: facts.userId, actor, client: facts.client });
  // POST /login's token is a credential of its own: its issue is an event an owner looks for
  if (facts.kind === SessionKind.ACCESS_TOKEN) await recordAudit({ event: "token.issued", at: facts.at, userId: facts.userId, actor, client: facts.client });
}

export async function recordLoginFailed(facts: LoginFacts & { reason: "wrong_credentials" | "deactivated" }): Promise<void> {
  await recordAudit({ event: "login.failed", at: facts.at, userId: facts.userId, actor: { type: "anonymous" }, client: facts.client, details: { reason: facts.reason } });
}

export async function recordLoginThrottled(facts: LoginFacts): Promise<void> {
  const now = facts.at.getTime();
  const slot = `${facts.client.address} ${facts.userId ?? "?"}`;
  const last = lastThrottleRecord.get(slot);
  if (last !== undefined && now - last < THROTTLE_RECORD_MS) return;
  if (lastThrottleRecord.size >= 10_000) lastThrottleRecord.clear();
  lastThrottleRecord.set(slot, now);
  await recordAudit({ event: "login.throttled", at: facts.at, userId: facts.userId, actor: { type: "anonymous" }, client: facts.client });
}
