import { getDb, Prisma } from "@keysmith/db";
import { KeysmithError, parseInput, ZSignUpInput } from "@keysmith/validators";
import { z } from "zod";

import { recordAudit, type RequestClient } from "./audit/record-audit.ts";
import { hashPassword } from "./passwords.ts";
import type { SessionUser } from "./sessions.ts";

/**
 * Creates an account. Usernames and emails are stored lowercased, so the
 * database's unique indexes make them unique case-insensitively.
 */
export async function signUp(rawInput: unknown, context: { client?: RequestClient; now?: Date } = {}): Promise<SessionUser> {
  const input = parseInput(ZSignUpInput, rawInput);
  const db = getDb();
  const taken = await db.user.findFirst({
    where: { OR: [{ username: input.username }, { email: input.email }] },
    select: { username: true },
  });
  if (taken) throw takenError(taken.username === input.username ? "username" : "email");

  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { username: input.username, email: input.email, name: input.name, passwordHash },
        select: { id: true, username: true, email: true, name: true, isStaff: true, isActive: true },
      });
      const at = context.now ?? new Date();
      await recordAudit({ event: "account.signed_up", at, userId: user.id, actor: { type: "anonymous" }, client: context.client }, tx);
      return user;
    });
  } catch (error) {
    // two sign-ups racing for the same name: the unique index decides
    const field = takenField(error);
    if (field) throw takenError(field);
    throw error;
  }
}

/**
 * What Prisma says about a unique violation. Through the driver adapter,
 * `meta.target` is absent and the fields are in the adapter's error; the
 * constraint's name, in the database's own message, is the fallback.
 */
const ZUniqueViolation = z.object({
  target: z.union([z.array(z.string()), z.string()]).optional(),
  driverAdapterError: z
    .object({
      cause: z
        .object({ constraint: z.object({ fields: z.array(z.string()) }).optional(), originalMessage: z.string().optional() })
        .optional(),
    })
    .optional(),
});

/** Which of a user's unique fields a failed write collided on, or undefined when it is not such a collision. */
export function takenField(error: unknown): "username" | "email" | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") return undefined;
  const parsed = ZUniqueViolation.safeParse(error.meta);
  const meta: z.infer<typeof ZUniqueViolation> = parsed.success ? parsed.data : {};
  const cause = meta.driverAdapterError?.cause;
  const fields = cause?.constraint?.fields ?? [meta.target ?? []].flat();
  if (fields.includes("email")) return "email";
  if (fields.includes("username")) return "username";
  const message = `${cause?.originalMessage ?? ""} ${error.message}`;
  if (message.includes("users_email_key")) return "email";
  if (message.includes("users_username_key")) return "username";
  return undefined;
}

function takenError(field: "username" | "email"): KeysmithError {
  const message =
    field === "username" ? "That username is taken; choose another." : "An account with that email already exists; log in instead.";
  return new KeysmithError("CONFLICT", message, { fields: { [field]: [message] } });
}
