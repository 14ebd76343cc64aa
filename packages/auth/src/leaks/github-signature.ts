import { createPublicKey, verify } from "node:crypto";
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

/**
 * The file is read on every call: GitHub calls rarely, and an operator who
 * saves GitHub's rotated keys into it is then heard at once, with no restart.
 */
async function publicKey(identifier: string): Promise<string | undefined> {
  const file = authEnv.githubScanningKeysFile();
  if (!file) throw refused("GitHub secret scanning is not set up on this server: KEYSMITH_GITHUB_SCANNING_KEYS names no file of GitHub's public keys.");
  let parsed;
  try {
    parsed = ZGithubPublicKeys.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (error) {
    // the operator's mistake, not the caller's: log-worthy, so not a KeysmithError
    throw new Error(`KEYSMITH_GITHUB_SCANNING_KEYS (${file}) does not hold GitHub's public keys as its meta endpoint answers them`, { cause: error });
  }
  return parsed.public_keys.find((entry) => entry.key_identifier === identifier)?.key;
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
  // a key that does not parse is the operator's file at fault: logged as unexpected, not blamed on GitHub
  const publicKeyObject = createPublicKey(key);
  let valid = false;
  try {
    valid = verify("sha256", body, { key: publicKeyObject, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    // a malformed signature or key is a failed check, nothing more
  }
  if (!valid) throw refused("Github-Public-Key-Signature does not match the body.");
}
