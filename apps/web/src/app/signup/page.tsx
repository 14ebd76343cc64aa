import Link from "next/link";
import { redirect } from "next/navigation";

import { currentUser } from "~/server/context.ts";

import { SignUpForm } from "./signup-form.tsx";

export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  if (await currentUser()) redirect("/keys");
  return (
    <>
      <h1>Create your account</h1>
      <SignUpForm />
      <p>
        Already have one? <Link href="/login">Log in</Link>
      </p>
    </>
  );
}
