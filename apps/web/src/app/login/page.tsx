import Link from "next/link";
import { redirect } from "next/navigation";

import { currentUser } from "~/server/context.ts";

import { LoginForm } from "./login-form.tsx";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await currentUser()) redirect("/keys");
  return (
    <>
      <h1>Log in</h1>
      <LoginForm />
      <p>
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </>
  );
}
