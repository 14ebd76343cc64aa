import { getDb, SessionKind } from "@keysmith/db";
import { expect, test, vi } from "vitest";

import { createSession, SWEEP_EVERY_MS } from "../src/index.ts";
import { newAccount } from "./helpers.ts";

// its own file: the sweep is started once per process, by the first use of sessions
test("the first session made starts an hourly sweep, and each sweep deletes what has expired", async () => {
  const { user } = await newAccount();
  const scheduled = vi.spyOn(globalThis, "setInterval");
  const long = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
  const expired = await createSession(user.id, SessionKind.ACCESS_TOKEN, long);
  const sweeps = scheduled.mock.calls.filter(([, ms]) => ms === SWEEP_EVERY_MS);
  expect(sweeps).toHaveLength(1);
  scheduled.mockRestore();

  const live = await createSession(user.id, SessionKind.WEB, new Date());
  const sweep = sweeps[0]?.[0] as () => void;
  sweep();
  await vi.waitFor(async () => {
    const left = await getDb().session.findMany({ where: { userId: user.id }, select: { id: true } });
    expect(left.map((row) => row.id)).toEqual([live.session.id]);
  }, { timeout: 2_000, interval: 20 });
  expect(expired.session.id).not.toBe(live.session.id);
});
