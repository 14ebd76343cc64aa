import { expect, test } from "vitest";

import { writeAndCountUsers } from "./isolation-helpers.ts";

test("this test file sees only its own rows (a)", async () => {
  expect(await writeAndCountUsers("isolation-a")).toEqual([{ username: "isolation-a" }]);
});
