import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { readFile } from "node:fs/promises";

import { KeysmithError } from "@keysmith/validators";
import { z } from "zod";

import { authEnv } from "../env.ts";
import { type HeaderReader } from "../header-reader.ts";

/** GitHub's published keys, in the shape of GET https://api.github.com/meta/public_keys/secret_scanning. */
const ZGithubPublicKeys = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string(), key: z.string() }).loose()),
}).loose();

const refused = (message: string) => new KeysmithError("UNAUTHORIZED", message);

/** How long GitHub is asked to wait while the keys file cannot be used: the operator has to act. */
const KEYS_FILE_RETRY_SECONDS = 60;

/** The last reason logged why the keys file cannot be used; cleared once it can be again. */
let loggedProblem: string | undefined;

/**
 * The keys file cannot be used: the operator's mistake, not GitHub's and not
 * a bug. The caller gets 503 with Retry-After (the status every surface
 * answers for "not now, try again": GitHub retries, and the alert is heard
 * once the file is fixed, which needs no restart), never the file's path.
 * The operator gets the real reason in the log, once per reason rather than
 * once per call: anyone can send two signature headers, and must not be able
 * to write the log line after line.
 */
function unusableKeysFile(reason: string): KeysmithError {
  if (reason !== loggedProblem) {
    loggedProblem = reason;
    console.error(`keysmith: GitHub secret scanning alerts are answered 503 until KEYSMITH_GITHUB_SCANNING_KEYS can be used: ${reason}`);
  }
  // REST 503, tRPC SERVICE_UNAVAILABLE, as for the database, under a code of its own: the database is fine
  return new KeysmithError(
    "UNAVAILABLE",
    "GitHub secret scanning is unavailable on this server right now: its copy of GitHub's public keys cannot be used (the server's log says why). Try again later.",
    { retryAfterSeconds: KEYS_FILE_RETRY_SECONDS },
  );
}

/** Why reading `file` failed, in the operator's words: missing, not readable, or not a file. */
function readFailure(file: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return `${file} does not exist (ENOENT): save GitHub's keys there, from https://api.github.com/meta/public_keys/secret_scanning.`;
  const why = error instanceof Error ? error.message : String(error);
  return `${file} cannot be read${typeof code === "string" ? ` (${code})` : ""}: ${why}`;
}

/**
 * GitHub's published key named `identifier`, or undefined when the file
 * names no such key. The file is read on every call: GitHub calls rarely,
 * and an operator who saves GitHub's rotated keys into it (or fixes it) is
 * then heard at once, with no restart.
 */
async function publicKey(identifier: string): Promise<KeyObject | undefined> {
  const file = authEnv.githubScanningKeysFile();
  if (!file) throw refused("GitHub secret scanning is not set up on this server: KEYSMITH_GITHUB_SCANNING_KEYS names no file of GitHub's public keys.");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw unusableKeysFile(readFailure(file, error));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw unusableKeysFile(`${file} is not JSON (${error instanceof Error ? error.message : String(error)}): save GitHub's answer there as it comes.`);
  }
  const parsed = ZGithubPublicKeys.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join(".")}: ${issue.message})` : "";
    throw unusableKeysFile(`${file} is not in the shape of GitHub's answer, {"public_keys": [{"key_identifier": …, "key": …}, …]}${where}.`);
  }
  // every key of the file is checked, not only the one the caller names: the file's state, and what is
  // logged about it, must not depend on text an unauthenticated caller chooses
  const keys = new Map<string, KeyObject>();
  for (const entry of parsed.data.public_keys) {
    try {
      keys.set(entry.key_identifier, createPublicKey(entry.key));
    } catch (error) {
      throw unusableKeysFile(`${file}: the key ${entry.key_identifier.slice(0, 100)} is not a PEM public key GitHub would publish (${error instanceof Error ? error.message : String(error)}).`);
    }
  }
  const key = keys.get(identifier);
  loggedProblem = undefined;
  return key;
}

/**
 * Checks GitHub's signature of a secret-scanning alert: ECDSA P-256 with
 * SHA-256 over the body's exact bytes (never a re-serialisation), by the key
 * named in Github-Public-Key-Identifier. Throws UNAUTHORIZED unless it holds.
 */
export async function checkGithubSignature(body: Uint8Array, headers: HeaderReader): Promise<void> {
  const identifier = headers.get("github-public-key-identifier");
  const signature = headers.get("github-public-key-signature");
  if (!identifier || !signature) throw refused("The Github-Public-Key-Identifier and Github-Public-Key-Signature headers are required.");
  const key = await publicKey(identifier);
  if (!key) throw refused("Github-Public-Key-Identifier names no key GitHub has published to this server.");
  let valid = false;
  try {
    valid = verify("sha256", body, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    // a malformed signature or key is a failed check, nothing more
  }
  if (!valid) throw refused("Github-Public-Key-Signature does not match the body.");
}
