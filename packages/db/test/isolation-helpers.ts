import { getDb } from "../src/index.ts";

/**
 * Each isolation test file writes one user and then expects to be alone: if
 * two files shared a database, whichever ran second would see two rows.
 */
export async function writeAndCountUsers(username: string) {
  const db = getDb();
  await db.user.create({
    data: { username, email: `${username}@example.test`, name: username, passwordHash: "not-a-real-hash" },
  });
  return db.user.findMany({ select: { username: true } });
}
