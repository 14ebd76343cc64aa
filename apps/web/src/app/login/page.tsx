import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";

import { safeNext, withNext } from "~/components/login-path.ts";
import { currentUser } from "~/server/context.ts";

import { LoginForm } from "./login-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next: asked } = await searchParams;
  // only a path on this site is carried along; anything else is dropped here, once
  const next = asked === undefined ? null : safeNext(asked);
  if (await currentUser()) redirect(safeNext(next));
  return (
    <>
      <h1>Log in</h1>
      {next ? <p className="notice">Your session has ended; log in again to continue.</p> : null}
      <LoginForm next={next} />
      <p>
        New here? <Link href={withNext("/signup", next)}>Create an account</Link>
      </p>
    </>
  );
}
