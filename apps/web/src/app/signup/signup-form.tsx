"use client";

import { useMutation } from "@tanstack/react-query";

import { LIMITS, ZSignUpInput } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { useAuthForm } from "~/components/use-auth-form.ts";
import { useTRPC } from "~/trpc/react.tsx";

export function SignUpForm({ next }: { next: string | null }) {
  const trpc = useTRPC();
  const { formRef, fieldErrors, formError, onSubmit, isPending } = useAuthForm(ZSignUpInput, useMutation(trpc.auth.signUp.mutationOptions()), next);

  return (
    <form ref={formRef} className="form card" onSubmit={onSubmit} noValidate>
      <Field name="username" label="Username" autoComplete="username" errors={fieldErrors.username} maxLength={LIMITS.username.max}
        hint={`${LIMITS.username.min}–${LIMITS.username.max} letters, digits, '.', '_' or '-'`} />
      <Field name="email" label="Email" type="email" autoComplete="email" errors={fieldErrors.email} maxLength={LIMITS.email.max} />
      <Field name="name" label="Name" autoComplete="name" errors={fieldErrors.name} maxLength={LIMITS.name.max} />
      <Field name="password" label="Password" type="password" autoComplete="new-password" errors={fieldErrors.password}
        hint={`At least ${LIMITS.password.min} characters`} />
      {formError ? <p className="form-error" role="alert">{formError}</p> : null}
      <button type="submit" disabled={isPending}>{isPending ? "Creating your account…" : "Sign up"}</button>
    </form>
  );
}
