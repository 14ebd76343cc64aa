import { expect, test } from "vitest";

import { createApiHandler } from "../src/index.ts";

const api = createApiHandler();
const send = (method: string, path: string) => api(new Request(`http://localhost${path}`, { method }), { clientAddress: "192.0.2.1" });

test.for(["/healthz", "/readyz"])("HEAD %s is 200 without a body; POST is 405 with Allow: GET, HEAD", async (path) => {
  const head = await send("HEAD", path);
  expect(head.status).toBe(200);
  expect(await head.text()).toBe("");
  const post = await send("POST", path);
  expect(post.status).toBe(405);
  expect(post.headers.get("allow")).toBe("GET, HEAD");
  expect(((await post.json()) as { message: string }).message).toBe(`POST is not allowed on ${path}; use GET, HEAD.`);
});
