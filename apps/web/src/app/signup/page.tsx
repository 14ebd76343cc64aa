import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";

import { safeNext, withNext } from "~/components/login-path.ts";
import { currentUser } from "~/server/context.ts";

import { SignUpForm } from "./signup-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next: asked } = await searchParams;
  const next = asked === undefined ? null : safeNext(asked);
  if (await currentUser()) redirect(safeNext(next));
  return (
    <>
      <h1>Create your account</h1>
      <p className="lead">An account holds your API keys. It takes a username, an email and a password.</p>
      <SignUpForm next={next} />
      <p>
        Already have one? <Link href={withNext("/login", next)}>Log in</Link>
      </p>
    </>
  );
}
