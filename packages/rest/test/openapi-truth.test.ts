import { generateApiKey } from "@keysmith/auth";
import { describe, expect, test } from "vitest";

import { call, json, newUser, tokenFor } from "./helpers.ts";

type Operation = { responses: Record<string, { content: Record<string, { schema: { properties: { message: { enum?: string[]; const?: string } } } }> }> };

async function operation(path: string, method: string): Promise<Operation> {
  const document = (await (await call("GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`${method} ${path} is not in the document`);
  return found;
}

describe("the OpenAPI document tells the truth about verify", () => {
  test("its success message is one of those listed, for a valid and for an invalid key", async () => {
    const messages = (await operation("/api/v1/api-keys/verify", "post")).responses["200"]?.content["application/json"]?.schema.properties.message.enum;
    expect(messages).toContain("API key is valid");
    expect(messages).toContain("API key is not valid: NOT_FOUND");
    expect(messages).toHaveLength(8);

    const { username, password } = await newUser();
    const token = await tokenFor(username, password);
    const created = (await json(await call("POST", "/api-keys", { body: '{"name":"k"}', headers: { authorization: `Bearer ${token}` } }))).data as { key: string };
    for (const key of [created.key, generateApiKey(), "ak_short"]) {
      const body = await json(await call("POST", "/api-keys/verify", { body: JSON.stringify({ key }), headers: { authorization: `Bearer ${token}` } }));
      expect(messages).toContain(body.message);
    }
  });

  test("it documents 413 for bodies over 16 KiB, and when the connection is closed", async () => {
    const responses = (await operation("/api/v1/api-keys/verify", "post")).responses as Record<string, { description?: string }>;
    expect(responses["413"]?.description).toMatch(/larger than 16 KiB.*within 8 MiB.*Connection: close/);
  });
});

describe("paths the router cannot decode", () => {
  test.each(["/api-keys/%ZZ", "/api-keys/%E0%A4%A", "/api-keys/%"])("DELETE %s without credentials is a 400 envelope", async (path) => {
    const response = await call("DELETE", path);
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: expect.stringMatching(/not valid percent-encoding/) });
  });

  test("a path with an undecodable segment that no route's shape fits is a 404 envelope naming the path", async () => {
    const response = await call("DELETE", "/api-keys/%ZZ/nope");
    expect(response.status).toBe(404);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: "There is no endpoint at /api/v1/api-keys/%ZZ/nope." });
  });
});
