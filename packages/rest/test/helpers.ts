import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { signUp } from "@keysmith/auth";
import { afterAll } from "vitest";

import { createRestHandler } from "../src/index.ts";

export const handler = createRestHandler();
const BASE = "http://localhost/api/v1";

let counter = 0;
let address = 0;

/** A request from its own client address, so the per-client throttle stays apart between tests. */
export function call(method: string, path: string, init: { body?: string | ArrayBuffer; headers?: Record<string, string>; clientAddress?: string } = {}) {
  address += 1;
  return handler(
    new Request(`${BASE}${path}`, { method, ...(init.body !== undefined ? { body: init.body } : {}), ...(init.headers ? { headers: init.headers } : {}) }),
    { clientAddress: init.clientAddress ?? `198.51.100.${address % 250}` },
  );
}

export async function json(response: Response): Promise<{ data: unknown; message: string; status: string; errors?: Record<string, string[]> }> {
  return (await response.json()) as { data: unknown; message: string; status: string; errors?: Record<string, string[]> };
}

export async function newUser(password = "a long password") {
  counter += 1;
  const username = `rest${counter}_${Math.random().toString(36).slice(2, 7)}`;
  const user = await signUp({ username, email: `${username}@example.test`, name: `Rest User ${counter}`, password });
  return { user, username, password };
}

/** Logs in through POST /login and returns the access token. */
export async function tokenFor(username: string, password: string): Promise<string> {
  const body = await json(await call("POST", "/login", { body: JSON.stringify({ username, password }), headers: { "content-type": "application/json" } }));
  return (body.data as { jwtToken: string }).jwtToken;
}

let githubSigner: KeyObject | undefined;
let githubKeysFolder: string | undefined;
// registered while a test file imports this module, so it runs after that file's tests: the stand-in keys go with them
afterAll(() => {
  if (githubKeysFolder) {
    rmSync(githubKeysFolder, { recursive: true, force: true });
    delete process.env.KEYSMITH_GITHUB_SCANNING_KEYS;
  }
  githubKeysFolder = undefined;
  githubSigner = undefined;
});
const GITHUB_KEY_IDENTIFIER = "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c";

/**
 * Headers GitHub's secret scanning would send with `body`: a P-256 key pair
 * made here stands in for GitHub's, published to the server through
 * KEYSMITH_GITHUB_SCANNING_KEYS in the shape GitHub's meta endpoint answers.
 * `signer` and `identifier` let a test sign wrongly.
 */
export function githubSignatureHeaders(body: string, { signer, identifier = GITHUB_KEY_IDENTIFIER }: { signer?: KeyObject; identifier?: string } = {}): Record<string, string> {
  if (!githubSigner) {
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    githubSigner = pair.privateKey;
    githubKeysFolder = mkdtempSync(path.join(tmpdir(), "keysmith-github-"));
    const file = path.join(githubKeysFolder, "secret-scanning.json");
    writeFileSync(file, JSON.stringify({ public_keys: [{ key_identifier: GITHUB_KEY_IDENTIFIER, key: pair.publicKey.export({ type: "spki", format: "pem" }), is_current: true }] }));
    process.env.KEYSMITH_GITHUB_SCANNING_KEYS = file;
  }
  return {
    "content-type": "application/json",
    "github-public-key-identifier": identifier,
    "github-public-key-signature": sign("sha256", Buffer.from(body), signer ?? githubSigner).toString("base64"),
  };
}
