import { expect, inject, test } from "vitest";

import { uniqueUser } from "./browser.ts";
import { request, signUpOverHttp } from "./http.ts";

const baseUrl = inject("baseUrl");

const login = (localAddress: string, username: string, password: string, forwardedFor?: string) =>
  request(baseUrl, {
    method: "POST",
    path: "/api/v1/login",
    localAddress,
    headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: JSON.stringify({ username, password }),
  });

test("21 failed logins from 127.0.0.2, each with another X-Forwarded-For, refuse 127.0.0.2 (429) but not a login from 127.0.0.3", async () => {
  const user = uniqueUser();
  await signUpOverHttp(baseUrl, user, "127.0.0.3");
  // names no one has, so only the address's count (20 in 15 minutes) can refuse
  for (let i = 1; i <= 20; i += 1) {
    expect((await login("127.0.0.2", `nobody${i}_${user.username}`, "wrong password", `203.0.113.${i}`)).status).toBe(401);
  }
  expect((await login("127.0.0.2", `nobody21_${user.username}`, "wrong password", "203.0.113.21")).status).toBe(429);
  const other = await login("127.0.0.3", user.username, user.password);
  expect(other.status).toBe(200);
  expect(JSON.parse(other.body)).toMatchObject({ status: "success", data: { jwtToken: expect.any(String) } });
});
