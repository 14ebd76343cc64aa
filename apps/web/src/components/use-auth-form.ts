"use client";

import { type UseMutationResult } from "@tanstack/react-query";
import { type TRPCClientErrorLike } from "@trpc/client";
import { useRouter } from "next/navigation";
import { type z } from "zod";

import type { AppRouter } from "@keysmith/api";

import { safeNext } from "./login-path.ts";
import { useFieldErrors } from "./use-field-errors.ts";

/**
 * A sign-in style form: validate with the shared schema, run the mutation,
 * and on success go to `next` (a path on this site; else the keys page) with
 * the new session in place.
 */
export function useAuthForm<T extends z.ZodType, TData>(
  schema: T,
  mutation: UseMutationResult<TData, TRPCClientErrorLike<AppRouter>, z.infer<T>>,
  next: string | null,
) {
  const router = useRouter();
  const { formRef, fieldErrors, formError, validate, fromServer } = useFieldErrors();

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = validate(schema, Object.fromEntries(new FormData(event.currentTarget)));
    if (!input) return;
    mutation.mutate(input, {
      onSuccess: () => {
        router.replace(safeNext(next));
        router.refresh();
      },
      onError: fromServer,
    });
  }

  return { formRef, fieldErrors, formError, onSubmit, isPending: mutation.isPending };
}
