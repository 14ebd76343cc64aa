"use client";

import { useState } from "react";
import { type z } from "zod";

export type FieldErrors = Partial<Record<string, string[]>>;

/**
 * Client-side validation with the same zod schema the API uses, plus the
 * field errors the server sends back (tRPC's `data.fieldErrors`).
 */
export function useFieldErrors() {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  function validate<T extends z.ZodType>(schema: T, values: unknown): z.infer<T> | undefined {
    const result = schema.safeParse(values);
    if (result.success) {
      setFieldErrors({});
      setFormError(null);
      return result.data;
    }
    const errors: FieldErrors = {};
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? "");
      (errors[field] ??= []).push(issue.message);
    }
    setFieldErrors(errors);
    return undefined;
  }

  function fromServer(error: { message: string; data?: { fieldErrors?: FieldErrors | null } | null }) {
    const fields = error.data?.fieldErrors ?? {};
    setFieldErrors(fields);
    setFormError(Object.keys(fields).length > 0 ? null : error.message);
  }

  return { fieldErrors, formError, validate, fromServer };
}
