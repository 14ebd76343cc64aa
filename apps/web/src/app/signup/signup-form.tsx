"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { LIMITS, ZSignUpInput } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { useFieldErrors } from "~/components/use-field-errors.ts";
import { useTRPC } from "~/trpc/react.tsx";

export function SignUpForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const { fieldErrors, formError, validate, fromServer } = useFieldErrors();
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: () => {
        router.replace("/keys");
        router.refresh();
      },
      onError: fromServer,
    }),
  );

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = validate(ZSignUpInput, Object.fromEntries(new FormData(event.currentTarget)));
    if (input) signUp.mutate(input);
  }

  return (
    <form className="form card" onSubmit={onSubmit} noValidate>
      <Field name="username" label="Username" autoComplete="username" errors={fieldErrors.username} maxLength={LIMITS.username.max}
        hint={`${LIMITS.username.min}–${LIMITS.username.max} letters, digits, '.', '_' or '-'`} />
      <Field name="email" label="Email" type="email" autoComplete="email" errors={fieldErrors.email} maxLength={LIMITS.email.max} />
      <Field name="name" label="Name" autoComplete="name" errors={fieldErrors.name} maxLength={LIMITS.name.max} />
      <Field name="password" label="Password" type="password" autoComplete="new-password" errors={fieldErrors.password}
        hint={`At least ${LIMITS.password.min} characters`} />
      {formError ? <p className="form-error" role="alert">{formError}</p> : null}
      <button type="submit" disabled={signUp.isPending}>{signUp.isPending ? "Creating your account…" : "Sign up"}</button>
    </form>
  );
}
