import { getDb, type SessionKind } from "@keysmith/db";
import { KeysmithError, parseInput, ZLoginInput } from "@keysmith/validators";

import { type LoginFacts, recordLoginFailed, recordLoginSucceeded, recordLoginThrottled } from "./audit/login-events.ts";
import { verifyAgainstDummy, verifyPassword } from "./passwords.ts";
import { createSession, type SessionUser } from "./sessions.ts";
import { loginThrottles } from "./throttle.ts";

export interface LoginContext {
  /** The caller's address, for the per-client throttle and the audit log. */
  clientAddress: string;
  /** The caller's User-Agent header, for the audit log. */
  userAgent?: string | null;
  now: Date;
}

export interface LoginResult {
  user: SessionUser;
  token: string;
  expiresAt: Date;
}

const INVALID = "Wrong username or password.";

/** Runs a throttle check; a refusal is recorded in the audit log, then thrown. */
async function throttledLogin<T>(facts: LoginFacts, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof KeysmithError && error.code === "TOO_MANY_REQUESTS") await recordLoginThrottled(facts);
    throw error;
  }
}

/**
 * Checks a username-or-email and password and opens a session of `kind`:
 * a web session (cookie) or an access token (POST /api/v1/login). Wrong
 * usernames and wrong passwords get the same answer after the same work.
 */
export async function login(rawInput: unknown, kind: SessionKind, context: LoginContext): Promise<LoginResult> {
  const input = parseInput(ZLoginInput, rawInput);
  const now = context.now.getTime();
  const client = { address: context.clientAddress, userAgent: context.userAgent ?? null };
  const facts = (userId: number | null) => ({ at: context.now, client, userId });
  // an address over its limit is refused before it costs a lookup
  await throttledLogin(facts(null), () => loginThrottles.checkAddress(context.clientAddress, now));

  const user = await getDb().user.findFirst({
    where: input.username.includes("@") ? { email: input.username } : { username: input.username },
  });
  // one count per account whichever of its names was typed; a name that matches no one is counted as itself
  const account = user ? `user:${String(user.id)}` : `name:${input.username}`;
  const attempt = await throttledLogin(facts(user?.id ?? null), () => loginThrottles.begin(account, context.clientAddress, now));
  try {
    const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
    if (!user || !valid) {
      await attempt.failed();
      await recordLoginFailed({ ...facts(user?.id ?? null), reason: "wrong_credentials" });
      throw new KeysmithError("UNAUTHORIZED", INVALID);
    }
    if (!user.isActive) {
      await recordLoginFailed({ ...facts(user.id), reason: "deactivated" });
      throw new KeysmithError("FORBIDDEN", "This account is deactivated; ask an administrator to reactivate it.");
    }
    await attempt.succeeded();

    const { token, session } = await createSession(user.id, kind, context.now);
    await recordLoginSucceeded({ ...facts(user.id), kind });
    const { id, username, email, name, isStaff, isActive } = user;
    return { user: { id, username, email, name, isStaff, isActive }, token, expiresAt: session.expiresAt };
  } finally {
    await attempt.end();
  }
}
