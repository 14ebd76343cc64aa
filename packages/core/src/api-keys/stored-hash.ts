/** Whether pg failed the statement because a new key's hash is already stored (unique_violation on key_hash). */
export function isStoredHash(error: unknown): boolean {
  const { code, constraint } = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; constraint?: unknown };
  return code === "23505" && constraint === "api_keys_key_hash_key";
}
