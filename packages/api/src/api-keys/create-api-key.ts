import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@keysmith/auth";
import { getDb } from "@keysmith/db";
import { type CreatedApiKey, parseInput, ZCreateApiKeyInput } from "@keysmith/validators";

/**
 * Issues a key for `userId`. The plaintext exists only in the value returned
 * here; the database keeps its SHA-256 and a 4-character display prefix.
 */
export async function createApiKey(userId: number, rawInput: unknown): Promise<CreatedApiKey> {
  const input = parseInput(ZCreateApiKeyInput, rawInput);
  const key = generateApiKey();
  const row = await getDb().apiKey.create({
    data: { userId, name: input.name, description: input.description, keyHash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) },
    select: { id: true, name: true, description: true },
  });
  return { id: row.id, key, name: row.name, description: row.description };
}
