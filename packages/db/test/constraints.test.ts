import { createHash } from "node:crypto";

import { expect, test } from "vitest";

import { getDb, Prisma } from "../src/index.ts";

async function makeUser(username: string) {
  return getDb().user.create({
    data: { username, email: `${username}@example.test`, name: username, passwordHash: "x" },
  });
}

test("two API keys can never share a key hash", async () => {
  const db = getDb();
  const [alice, bob] = [await makeUser("alice"), await makeUser("bob")];
  const keyHash = createHash("sha256").update("the same key").digest();

  await db.apiKey.create({ data: { userId: alice.id, name: "first", keyHash, prefix: "ak_AAAA" } });
  const duplicate = db.apiKey.create({ data: { userId: bob.id, name: "second", keyHash, prefix: "ak_AAAA" } });

  await expect(duplicate).rejects.toSatisfy(
    (error) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002",
  );
  expect(await db.apiKey.count()).toBe(1);
});

test("usernames and emails are unique", async () => {
  await makeUser("carol");
  await expect(makeUser("carol")).rejects.toSatisfy(
    (error) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002",
  );
});

test("deleting a user removes their sessions and keys", async () => {
  const db = getDb();
  const dave = await makeUser("dave");
  await db.apiKey.create({
    data: { userId: dave.id, name: "k", keyHash: createHash("sha256").update("dave").digest(), prefix: "ak_D" },
  });
  await db.session.create({
    data: { id: "s1", userId: dave.id, secretHash: Buffer.alloc(32), kind: "WEB", expiresAt: new Date(Date.now() + 60_000) },
  });
  await db.user.delete({ where: { id: dave.id } });
  expect(await db.apiKey.count({ where: { userId: dave.id } })).toBe(0);
  expect(await db.session.count({ where: { userId: dave.id } })).toBe(0);
});
