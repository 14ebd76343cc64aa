import { type TRPCRouterRecord } from "@trpc/server";
import { SessionKind } from "@keysmith/db";
import { clearedSessionCookie, createSession, endSession, login, loginThrottles, sessionCookie, signUp } from "@keysmith/auth";
import { KeysmithError, ZCurrentUser, ZLoginInput, ZSignUpInput } from "@keysmith/validators";

import { type Context } from "../context.ts";
import { protectedProcedure, publicProcedure } from "../trpc.ts";

function refuseCrossSite(ctx: Context) {
  // a login or sign-up planted by another site would sign the victim in as the attacker
  if (ctx.crossSite) throw new KeysmithError("FORBIDDEN", "Log in from Keysmith's own pages, not from another site.");
}

export const authRouter = {
  /** Creates the account and signs the browser in. */
  signUp: publicProcedure
    .input(ZSignUpInput)
    .output(ZCurrentUser)
    .mutation(async ({ ctx, input }) => {
      refuseCrossSite(ctx);
      // before anything is written: a sign-up refused with 429 must leave no account behind
      await loginThrottles.checkAddress(ctx.clientAddress, ctx.now().getTime());
      const user = await signUp(input, { client: ctx.client, now: ctx.now() });
      const { token, session } = await createSession(user.id, SessionKind.WEB, ctx.now());
      ctx.setCookie(sessionCookie(token, session.expiresAt, ctx.cookieSecurity));
      return ZCurrentUser.parse(user);
    }),

  /** Signs the browser in with a username or email and a password (a cookie session). */
  login: publicProcedure
    .input(ZLoginInput)
    .output(ZCurrentUser)
    .mutation(async ({ ctx, input }) => {
      refuseCrossSite(ctx);
      const result = await login(input, SessionKind.WEB, { clientAddress: ctx.clientAddress, userAgent: ctx.client.userAgent, now: ctx.now() });
      ctx.setCookie(sessionCookie(result.token, result.expiresAt, ctx.cookieSecurity));
      return ZCurrentUser.parse(result.user);
    }),

  /** Ends the calling session or revokes the calling access token. */
  logout: protectedProcedure.mutation(async ({ ctx }) => {
    const { principal } = ctx;
    await endSession(principal, ctx.now());
    if (principal.via === "cookie") ctx.setCookie(clearedSessionCookie(ctx.cookieSecurity));
    return { loggedOut: true as const };
  }),

  /** The signed-in user, or null. */
  me: publicProcedure.output(ZCurrentUser.nullable()).query(({ ctx }) => (ctx.principal ? ZCurrentUser.parse(ctx.principal.user) : null)),
} satisfies TRPCRouterRecord;
