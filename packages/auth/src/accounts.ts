import { getDb, Prisma } from "@keysmith/db";
import { KeysmithError, parseInput, ZSignUpInput } from "@keysmith/validators";

import { hashPassword } from "./passwords.ts";
import type { SessionUser } from "./sessions.ts";

/**
 * Creates an account. Usernames and emails are stored lowercased, so the
 * database's unique indexes make them unique case-insensitively.
 */
export async function signUp(rawInput: unknown): Promise<SessionUser> {
  const input = parseInput(ZSignUpInput, rawInput);
  const db = getDb();
  const taken = await db.user.findFirst({
    where: { OR: [{ username: input.username }, { email: input.email }] },
    select: { username: true },
  });
  if (taken) throw takenError(taken.username === input.username ? "username" : "email");

  const passwordHash = await hashPassword(input.password);
  try {
    return await db.user.create({
      data: { username: input.username, email: input.email, name: input.name, passwordHash },
      select: { id: true, username: true, email: true, name: true, isStaff: true, isActive: true },
    });
  } catch (error) {
    // two sign-ups racing for the same name: the unique index decides
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const target = JSON.stringify(error.meta?.target ?? "");
      throw takenError(target.includes("email") ? "email" : "username");
    }
    throw error;
  }
}

function takenError(field: "username" | "email"): KeysmithError {
  const message =
    field === "username" ? "That username is taken; choose another." : "An account with that email already exists; log in instead.";
  return new KeysmithError("CONFLICT", message, { fields: { [field]: [message] } });
}
