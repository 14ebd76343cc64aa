import { z } from "zod";

import { LIMITS } from "./limits.ts";
import { textField } from "./text.ts";

export const ZUsername = textField("Username")
  .toLowerCase()
  .min(LIMITS.username.min, `Username must be at least ${LIMITS.username.min} characters.`)
  .max(LIMITS.username.max, `Username must be at most ${LIMITS.username.max} characters.`)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, "Username may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit.");

export const ZEmail = textField("Email")
  .toLowerCase()
  .max(LIMITS.email.max, `Email must be at most ${LIMITS.email.max} characters.`)
  .pipe(z.email("Email must be a valid address, like name@example.com."));

export const ZName = textField("Name")
  .min(LIMITS.name.min, "Name is required.")
  .max(LIMITS.name.max, `Name must be at most ${LIMITS.name.max} characters.`);

// kept as typed: spaces at either end are part of a password
export const ZPassword = textField("Password", { trim: false })
  .min(LIMITS.password.min, `Password must be at least ${LIMITS.password.min} characters.`)
  .max(LIMITS.password.max, `Password must be at most ${LIMITS.password.max} characters.`);

export const ZSignUpInput = z.object({
  username: ZUsername,
  email: ZEmail,
  name: ZName,
  password: ZPassword,
});
export type SignUpInput = z.infer<typeof ZSignUpInput>;

/** POST /api/v1/login and the login form: `username` may be a username or an email. */
export const ZLoginInput = z.object({
  username: textField("Username")
    .toLowerCase()
    .min(1, "Username is required: your username or email.")
    .max(LIMITS.login.max, `Username must be at most ${LIMITS.login.max} characters.`),
  // sign-up's text rules: no one types a control character into a password box, and a
  // lone surrogate would be hashed as U+FFFD, matching any other lone surrogate
  password: textField("Password", { trim: false })
    .min(1, "Password is required.")
    .max(LIMITS.password.max, `Password must be at most ${LIMITS.password.max} characters.`),
});
export type LoginInput = z.infer<typeof ZLoginInput>;

/** The documented `data` of a successful login. */
export const ZLoginResponseData = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  is_staff: z.boolean(),
  is_active: z.boolean(),
  jwtToken: z.string(),
});
export type LoginResponseData = z.infer<typeof ZLoginResponseData>;

/** The signed-in user as the dashboard and `auth.me` see it. */
export const ZCurrentUser = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  name: z.string(),
  isStaff: z.boolean(),
  isActive: z.boolean(),
});
export type CurrentUser = z.infer<typeof ZCurrentUser>;
