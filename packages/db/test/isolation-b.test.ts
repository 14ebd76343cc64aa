import { expect, test } from "vitest";

import { writeAndCountUsers } from "./isolation-helpers.ts";

test("this test file sees only its own rows (b)", async () => {
  expect(await writeAndCountUsers("isolation-b")).toEqual([{ username: "isolation-b" }]);
});
