import http from "node:http";

import { type uniqueUser } from "./browser.ts";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request over node:http, which sends what fetch would not: any method,
 * the target exactly as written ("*", "%2e%2e"), and a chosen local address
 * (on Linux every 127.x.y.z is loopback, so each is a different client).
 */
export function request(baseUrl: string, options: http.RequestOptions & { body?: string }): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  const { body, ...rest } = options;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, agent: false, ...rest }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The session token a response's Set-Cookie gives, if any. */
export function sessionTokenFrom(answer: Answer): string | undefined {
  for (const cookie of answer.headers["set-cookie"] ?? []) {
    const match = /^keysmith_session=([^;]+)/.exec(cookie);
    if (match) return match[1];
  }
  return undefined;
}

/** Signs up over tRPC, as the sign-up form does, and returns the new session's token. */
export async function signUpOverHttp(baseUrl: string, user: ReturnType<typeof uniqueUser>, localAddress?: string): Promise<string> {
  const answer = await request(baseUrl, {
    method: "POST",
    path: "/api/trpc/auth.signUp",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: user.username, email: user.email, name: user.name, password: user.password }),
    ...(localAddress ? { localAddress } : {}),
  });
  const token = sessionTokenFrom(answer);
  if (answer.status !== 200 || !token) throw new Error(`sign-up answered ${answer.status}: ${answer.body}`);
  return token;
}

export const envelope = (answer: Answer) => JSON.parse(answer.body) as { data: unknown; message: string; status: string };
