import { createHash } from "node:crypto";

import { expect, test } from "vitest";

import { getDb, Prisma } from "../src/index.ts";

async function makeUser(username: string) {
  return getDb().user.create({
    data: { username, email: `${username}@example.test`, name: username, passwordHash: "x" },
  });
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

test("two API keys can never share a key hash", async () => {
  const db = getDb();
  const [alice, bob] = [await makeUser("alice"), await makeUser("bob")];
  const keyHash = createHash("sha256").update("the same key").digest();

  await db.apiKey.create({ data: { userId: alice.id, name: "first", keyHash, prefix: "ak_AAAA" } });
  const duplicate = db.apiKey.create({ data: { userId: bob.id, name: "second", keyHash, prefix: "ak_AAAA" } });

  await expect(duplicate).rejects.toSatisfy(isUniqueViolation);
  expect(await db.apiKey.count()).toBe(1);
});

test("a second user with a taken email and a new username is refused with P2002", async () => {
  await makeUser("carol");
  const sameEmail = getDb().user.create({ data: { username: "carol2", email: "carol@example.test", name: "Carol 2", passwordHash: "x" } });
  await expect(sameEmail).rejects.toSatisfy(isUniqueViolation);
});

test("a second user with a taken username and a new email is refused with P2002", async () => {
  await makeUser("erin");
  const sameUsername = getDb().user.create({ data: { username: "erin", email: "erin2@example.test", name: "Erin 2", passwordHash: "x" } });
  await expect(sameUsername).rejects.toSatisfy(isUniqueViolation);
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

test("two keys can never replace the same key (replaces_id is unique), while any number replace none", async () => {
  const db = getDb();
  const frank = await makeUser("frank");
  const key = (name: string, replacesId: number | null = null) =>
    db.apiKey.create({ data: { userId: frank.id, name, keyHash: createHash("sha256").update(name).digest(), prefix: "ak_F", replacesId } });
  const old = await key("old");
  await key("first successor", old.id);
  await expect(key("second successor", old.id)).rejects.toSatisfy(isUniqueViolation);
  await key("unrelated 1");
  await key("unrelated 2");
  expect(await db.apiKey.count({ where: { userId: frank.id, replacesId: null } })).toBe(3);
});
