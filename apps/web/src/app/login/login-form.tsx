"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { ZLoginInput } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { useFieldErrors } from "~/components/use-field-errors.ts";
import { useTRPC } from "~/trpc/react.tsx";

export function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const { fieldErrors, formError, validate, fromServer } = useFieldErrors();
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: () => {
        router.replace("/keys");
        router.refresh();
      },
      onError: fromServer,
    }),
  );

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = validate(ZLoginInput, Object.fromEntries(new FormData(event.currentTarget)));
    if (input) login.mutate(input);
  }

  return (
    <form className="form card" onSubmit={onSubmit} noValidate>
      <Field name="username" label="Username or email" autoComplete="username" errors={fieldErrors.username} />
      <Field name="password" label="Password" type="password" autoComplete="current-password" errors={fieldErrors.password} />
      {formError ? <p className="form-error" role="alert">{formError}</p> : null}
      <button type="submit" disabled={login.isPending}>{login.isPending ? "Logging in…" : "Log in"}</button>
    </form>
  );
}
