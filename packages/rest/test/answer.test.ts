import { describe, expect, it } from "vitest";

import { toResponse, withoutBody } from "../src/answer.ts";

describe("withoutBody", () => {
  it("drops the body and keeps the status and headers", async () => {
    const stripped = withoutBody(toResponse({ status: 201, headers: { "x-kept": "yes" }, body: '{"data":1}' }));
    expect(stripped.status).toBe(201);
    expect(stripped.headers.get("x-kept")).toBe("yes");
    expect(stripped.body).toBeNull();
    expect(await stripped.text()).toBe("");
  });

  it("returns a response that has no body as it is, not a copy", () => {
    const once = withoutBody(toResponse({ status: 200, headers: {}, body: "x" }));
    expect(withoutBody(once)).toBe(once);
  });
});
