import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@keysmith/auth";

/** A fresh key: its value (returned to the caller once), and what is stored of it. */
export function mintKey() {
  const key = generateApiKey();
  return { key, keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) };
}
