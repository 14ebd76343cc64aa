import path from "node:path";
import { tmpdir } from "node:os";

import { KeysmithError } from "@keysmith/validators";
import { afterEach, expect, test, vi } from "vitest";

import { checkGithubSignature } from "../src/index.ts";

const saved = process.env.KEYSMITH_GITHUB_SCANNING_KEYS;
afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env.KEYSMITH_GITHUB_SCANNING_KEYS;
  else process.env.KEYSMITH_GITHUB_SCANNING_KEYS = saved;
});

test("a keys file that does not exist fails the check with code UNAVAILABLE and Retry-After 60, not the database's DATABASE_UNAVAILABLE", async () => {
  process.env.KEYSMITH_GITHUB_SCANNING_KEYS = path.join(tmpdir(), "keysmith-no-such-folder", "github-keys.json");
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  const headers = new Headers({ "github-public-key-identifier": "abc", "github-public-key-signature": "MEUCIQ==" });
  const error = await checkGithubSignature(new Uint8Array(), headers).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(KeysmithError);
  expect([(error as KeysmithError).code, (error as KeysmithError).details.retryAfterSeconds]).toEqual(["UNAVAILABLE", 60]);
});
