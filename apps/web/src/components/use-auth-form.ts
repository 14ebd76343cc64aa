"use client";

import { type UseMutationResult } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type z } from "zod";

import { type FieldErrors, useFieldErrors } from "./use-field-errors.ts";

type ServerError = { message: string; data?: { fieldErrors?: FieldErrors | null } | null };

/**
 * A sign-in style form: validate with the shared schema, run the mutation,
 * and on success go to the keys page with the new session in place.
 */
export function useAuthForm<T extends z.ZodType, TData, TError extends ServerError>(
  schema: T,
  mutation: UseMutationResult<TData, TError, z.infer<T>>,
) {
  const router = useRouter();
  const { fieldErrors, formError, validate, fromServer } = useFieldErrors();

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = validate(schema, Object.fromEntries(new FormData(event.currentTarget)));
    if (!input) return;
    mutation.mutate(input, {
      onSuccess: () => {
        router.replace("/keys");
        router.refresh();
      },
      onError: fromServer,
    });
  }

  return { fieldErrors, formError, onSubmit, isPending: mutation.isPending };
}
