import { type TRPCRouterRecord } from "@trpc/server";
import { SessionKind } from "@keysmith/db";
import { clearedSessionCookie, endSession, login, sessionCookie, signUp } from "@keysmith/auth";
import { KeysmithError, ZCurrentUser, ZLoginInput, ZSignUpInput } from "@keysmith/validators";

import { type Context } from "../context.ts";
import { protectedProcedure, publicProcedure } from "../trpc.ts";

function refuseCrossSite(ctx: Context) {
  // a login or sign-up planted by another site would sign the victim in as the attacker
  if (ctx.crossSite) throw new KeysmithError("FORBIDDEN", "Log in from Keysmith's own pages, not from another site.");
}

async function openWebSession(ctx: Context, username: string, password: string) {
  const result = await login({ username, password }, SessionKind.WEB, { clientAddress: ctx.clientAddress, now: ctx.now() });
  ctx.setCookie(sessionCookie(result.token, result.expiresAt, ctx.cookieSecurity));
  return ZCurrentUser.parse(result.user);
}

export const authRouter = {
  /** Creates the account and signs the browser in. */
  signUp: publicProcedure
    .input(ZSignUpInput)
    .output(ZCurrentUser)
    .mutation(async ({ ctx, input }) => {
      refuseCrossSite(ctx);
      await signUp(input);
      return openWebSession(ctx, input.username, input.password);
    }),

  /** Signs the browser in with a username or email and a password (a cookie session). */
  login: publicProcedure
    .input(ZLoginInput)
    .output(ZCurrentUser)
    .mutation(({ ctx, input }) => {
      refuseCrossSite(ctx);
      return openWebSession(ctx, input.username, input.password);
    }),

  /** Ends the calling session or revokes the calling access token. */
  logout: protectedProcedure.mutation(async ({ ctx }) => {
    const { principal } = ctx;
    await endSession(principal);
    if (principal.via === "cookie") ctx.setCookie(clearedSessionCookie(ctx.cookieSecurity));
    return { loggedOut: true as const };
  }),

  /** The signed-in user, or null. */
  me: publicProcedure.output(ZCurrentUser.nullable()).query(({ ctx }) => (ctx.principal ? ZCurrentUser.parse(ctx.principal.user) : null)),
} satisfies TRPCRouterRecord;
