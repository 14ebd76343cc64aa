import { expect, test } from "vitest";

import { createCaller, createContextInner } from "../src/index.ts";

test("health.check makes a real database round trip", async () => {
  const caller = createCaller(createContextInner());
  expect(await caller.health.check()).toEqual({ status: "ok", database: "reachable" });
});
