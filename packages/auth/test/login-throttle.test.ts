import { getPool, SessionKind } from "@keysmith/db";
import { KeysmithError } from "@keysmith/validators";
import { describe, expect, test } from "vitest";

import { login } from "../src/index.ts";
import { LoginThrottle, sweepLoginThrottle } from "../src/login-throttle.ts";
import { newAccount } from "./helpers.ts";

const start = new Date("2026-01-01T00:00:00Z").getTime();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** A login attempt from `clientAddress`, `ms` after the start of the test's clock. */
function attempt(username: string, password: string, clientAddress: string, ms = 0) {
  return login({ username, password }, SessionKind.ACCESS_TOKEN, { clientAddress, now: new Date(start + ms) });
}

/** "OK", or the code of the error the attempt was refused with. */
async function outcome(tried: Promise<unknown>): Promise<string> {
  try {
    await tried;
    return "OK";
  } catch (error) {
    return error instanceof KeysmithError ? error.code : String(error);
  }
}

describe("failures for one account from one address", () => {
  test("5 refuse that pair, even with the right password, with Retry-After until the first failure is 15 minutes old, and not after", async () => {
    const { username, password } = await newAccount();
    for (let i = 0; i < 5; i += 1) {
      await expect(attempt(username, "wrong", "10.3.0.1", i * MINUTE)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    await expect(attempt(username, password, "10.3.0.1", 5 * MINUTE)).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Too many failed login attempts for this account from your address. Try again in 10 minutes.",
      details: { retryAfterSeconds: 10 * 60 },
    });
    await expect(attempt(username, password, "10.3.0.1", 15 * MINUTE - SECOND)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 1 } });
    // the first failure leaves the window at minute 15
    await expect(attempt(username, password, "10.3.0.1", 15 * MINUTE)).resolves.toMatchObject({ user: { username } });
  });

  test("after 5 failures from one address, the owner logs in with the right password from another address at once", async () => {
    const { username, password } = await newAccount();
    for (let i = 0; i < 5; i += 1) await expect(attempt(username, "wrong", "10.3.1.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt(username, password, "10.3.1.2")).resolves.toMatchObject({ user: { username } });
  });

  test("of 60 wrong passwords from one address 5 are checked and 55 refused, and the owner then logs in from two addresses it never used", async () => {
    const { username, password } = await newAccount();
    const results: string[] = [];
    for (let i = 0; i < 60; i += 1) results.push(await outcome(attempt(username, "wrong", "10.3.2.1", i * SECOND)));
    expect(results).toEqual([...Array<string>(5).fill("UNAUTHORIZED"), ...Array<string>(55).fill("TOO_MANY_REQUESTS")]);
    // two at once: had the refused attempts counted towards the account's 50, it would be slowed and admit only one
    await expect(attempt(username, password, "10.3.2.2", 60 * SECOND)).resolves.toMatchObject({ user: { username } });
    await expect(attempt(username, password, "10.3.2.3", 60 * SECOND)).resolves.toMatchObject({ user: { username } });
  });

  test("failures typed as the username and as the email count against one account", async () => {
    const { username, password } = await newAccount();
    const email = `${username}@example.test`;
    for (let i = 0; i < 3; i += 1) await expect(attempt(username, "wrong", "10.3.3.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    for (let i = 0; i < 2; i += 1) await expect(attempt(email.toUpperCase(), "wrong", "10.3.3.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt(username, password, "10.3.3.1")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(attempt(email, password, "10.3.3.1")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  test("a successful login clears that pair's failures", async () => {
    const { username, password } = await newAccount();
    for (let i = 0; i < 4; i += 1) await expect(attempt(username, "wrong", "10.3.4.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await attempt(username, password, "10.3.4.1");
    for (let i = 0; i < 4; i += 1) await expect(attempt(username, "wrong", "10.3.4.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  test("attempts still being checked count: of 10 wrong passwords sent at once, 5 are checked and 5 refused with a Retry-After", async () => {
    const { username } = await newAccount();
    const tries = Array.from({ length: 10 }, () => attempt(username, "wrong", "10.3.5.1").then(() => undefined, (e: unknown) => e as KeysmithError));
    const errors = await Promise.all(tries);
    expect(errors.filter((error) => error?.code === "UNAUTHORIZED")).toHaveLength(5);
    const refused = errors.filter((error) => error?.code === "TOO_MANY_REQUESTS");
    expect(refused).toHaveLength(5);
    // 1 s while the first five are still being checked, the rest of the window once they have failed
    for (const error of refused) expect(error?.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  test("a pair whose 5 attempts are all still under way refuses a sixth with Retry-After 1, and admits one again once they end without failing", async () => {
    const throttle = new LoginThrottle();
    const underWay = await Promise.all(Array.from({ length: 5 }, () => throttle.begin("user:1", "10.3.5.2", start)));
    await expect(throttle.begin("user:1", "10.3.5.2", start)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 1 } });
    await Promise.all(underWay.map((attempt) => attempt.end()));
    await (await throttle.begin("user:1", "10.3.5.2", start)).end();
  });

  test("two throttles (as two instances hold) add up one pair's failures: 3 through one and 2 through the other refuse the pair on both", async () => {
    const [one, other] = [new LoginThrottle(), new LoginThrottle()];
    for (let i = 0; i < 5; i += 1) await (await (i < 3 ? one : other).begin("user:2", "10.3.5.3", start + i * SECOND)).failed();
    for (const throttle of [one, other]) {
      await expect(throttle.begin("user:2", "10.3.5.3", start + 5 * SECOND)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 15 * 60 - 5 } });
    }
  });

  test("of 12 attempts begun at once through two throttles, exactly 5 are admitted and the 7 others refused with Retry-After 1", async () => {
    const [one, other] = [new LoginThrottle(), new LoginThrottle()];
    const begun = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one : other).begin("user:3", "10.3.5.4", start)));
    const admitted = begun.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    expect(admitted).toHaveLength(5);
    const refused = begun.flatMap((result) => (result.status === "rejected" ? [result.reason as KeysmithError] : []));
    expect(refused.map((error) => [error.code, error.details.retryAfterSeconds])).toEqual(Array<unknown>(7).fill(["TOO_MANY_REQUESTS", 1]));
    await Promise.all(admitted.map((attempt) => attempt.end()));
  });

  test("a name that matches no account is refused after 5 failures with the same answer as an account", async () => {
    const { username } = await newAccount();
    for (let i = 0; i < 5; i += 1) {
      await expect(attempt(username, "wrong", "10.3.6.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      await expect(attempt(`${username}-nobody`, "wrong", "10.3.6.2")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const answer = async (login: Promise<unknown>) => {
      const error = (await login.catch((e: unknown) => e)) as KeysmithError;
      return { code: error.code, message: error.message, details: error.details };
    };
    const known = await answer(attempt(username, "wrong", "10.3.6.1", SECOND));
    expect(known.code).toBe("TOO_MANY_REQUESTS");
    expect(await answer(attempt(`${username}-nobody`, "wrong", "10.3.6.2", SECOND))).toEqual(known);
  });
});

describe("failures from one address across accounts", () => {
  test("20 refuse that address for every account, even one it never tried; another address is not affected", async () => {
    for (let i = 0; i < 20; i += 1) {
      // a different (unknown) account each time: only the address ties them together
      await expect(attempt(`guess${i}`, "wrong", "10.3.10.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const fresh = await newAccount();
    await expect(attempt(fresh.username, fresh.password, "10.3.10.1")).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Too many failed login attempts from your address. Try again in 15 minutes.",
      details: { retryAfterSeconds: 15 * 60 },
    });
    await expect(attempt(fresh.username, fresh.password, "10.3.10.2")).resolves.toMatchObject({ user: { username: fresh.username } });
  });
});

describe("failures for one account across addresses", () => {
  /** 50 failures for `username`, 5 from each of 10 addresses, all at `ms`. */
  async function fiftyFailures(username: string, network: string, ms: number) {
    for (let a = 1; a <= 10; a += 1) {
      for (let i = 0; i < 5; i += 1) await expect(attempt(username, "wrong", `${network}.${a}`, ms)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
  }

  test("after 50, addresses without a recent login share one attempt per 5 seconds (else 429 with Retry-After of the seconds left); an address that logged in before is not slowed", async () => {
    const { username, password } = await newAccount();
    await attempt(username, password, "10.4.0.1"); // the owner's usual address
    await fiftyFailures(username, "10.4.1", SECOND);

    // the attacker's 51st try takes the turn at second 2 ...
    await expect(attempt(username, "wrong", "10.4.2.1", 2 * SECOND)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // ... so an address the owner never used waits for the next, even with the right password
    await expect(attempt(username, password, "10.4.2.2", 3 * SECOND)).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message:
        "This account has had many failed login attempts, so addresses that have not logged in to it recently may try it only once every 5 seconds. Try again in 4 seconds.",
      details: { retryAfterSeconds: 4 },
    });
    await expect(attempt(username, password, "10.4.0.1", 3 * SECOND)).resolves.toMatchObject({ user: { username } });
    await expect(attempt(username, password, "10.4.2.2", 7 * SECOND)).resolves.toMatchObject({ user: { username } });
  });

  test("the slowdown ends once the failures are 15 minutes old", async () => {
    const { username, password } = await newAccount();
    await fiftyFailures(username, "10.4.3", 0);
    await expect(attempt(username, "wrong", "10.4.4.1", SECOND)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt(username, password, "10.4.4.2", SECOND)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // the 50 leave the window at minute 15; the 51st alone does not slow the account
    await expect(attempt(username, "wrong", "10.4.4.3", 15 * MINUTE)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt(username, password, "10.4.4.2", 15 * MINUTE)).resolves.toMatchObject({ user: { username } });
  });
});

describe("the sweep", () => {
  test("deletes failures (pending ones too) from 15 minutes old, successes from 30 days old and turns from 5 seconds old, and keeps the younger rows", async () => {
    // later than every other test's rows: those it deletes too no longer count for anything
    const now = start + 400 * DAY;
    const ago = (ms: number) => new Date(now - ms).toISOString();
    const pool = getPool();
    await pool.query(
      `INSERT INTO login_failures (account, address, at, pending) VALUES
         ('sweep', '10.9.0.1', $1::timestamp, false), ('sweep', '10.9.0.2', $1::timestamp, true), ('sweep', '10.9.0.3', $2::timestamp, false)`,
      [ago(15 * MINUTE), ago(15 * MINUTE - SECOND)],
    );
    await pool.query(`INSERT INTO login_successes (account, address, at) VALUES ('sweep', '10.9.0.1', $1::timestamp), ('sweep', '10.9.0.2', $2::timestamp)`, [
      ago(30 * DAY),
      ago(30 * DAY - SECOND),
    ]);
    await pool.query(`INSERT INTO login_slow_turns (account, at) VALUES ('sweep-old', $1::timestamp), ('sweep-new', $2::timestamp)`, [ago(5 * SECOND), ago(4 * SECOND)]);

    await sweepLoginThrottle(new Date(now));
    const left = async (sql: string) => (await pool.query<{ key: string }>(sql)).rows.map((row) => row.key).sort();
    expect(await left(`SELECT address AS key FROM login_failures WHERE account = 'sweep'`)).toEqual(["10.9.0.3"]);
    expect(await left(`SELECT address AS key FROM login_successes WHERE account = 'sweep'`)).toEqual(["10.9.0.2"]);
    expect(await left(`SELECT account AS key FROM login_slow_turns WHERE account LIKE 'sweep-%'`)).toEqual(["sweep-new"]);
  });
});
