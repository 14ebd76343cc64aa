"use client";

import { useMutation } from "@tanstack/react-query";

import { ZLoginInput } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { useAuthForm } from "~/components/use-auth-form.ts";
import { useTRPC } from "~/trpc/react.tsx";

export function LoginForm({ next }: { next: string | null }) {
  const trpc = useTRPC();
  const { formRef, fieldErrors, formError, onSubmit, isPending } = useAuthForm(ZLoginInput, useMutation(trpc.auth.login.mutationOptions()), next);

  return (
    <form ref={formRef} className="form card" onSubmit={onSubmit} noValidate>
      <Field name="username" label="Username or email" autoComplete="username" errors={fieldErrors.username} />
      <Field name="password" label="Password" type="password" autoComplete="current-password" errors={fieldErrors.password} />
      {formError ? <p className="form-error" role="alert">{formError}</p> : null}
      <button type="submit" disabled={isPending}>{isPending ? "Logging in…" : "Log in"}</button>
    </form>
  );
}
