"use client";

import { useEffect, useRef, useState } from "react";
import { type z } from "zod";

import { focusFirstInvalid } from "~/components/focus-first-invalid.ts";
import { type FieldErrors } from "~/components/use-field-errors.ts";

import { plainMessage } from "./plain-messages.ts";

type ServerError = { message: string; data?: { fieldErrors?: FieldErrors | null } | null };

/**
 * A key form's errors: the shared zod schema's and the server's, each field
 * given one plain message (plainMessage), and focus on the first invalid
 * field after every failed attempt. Attach `formRef` to the form.
 */
export function useKeyFormErrors() {
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (attempt > 0) focusFirstInvalid(formRef.current);
  }, [attempt]);

  function show(errors: FieldErrors, message: string | null) {
    setFieldErrors(errors);
    setFormError(message);
    setAttempt((count) => count + 1);
  }

  /** True if `values` pass `schema` and the form's own checks (`own`, already plain). */
  function validate(schema: z.ZodType, values: unknown, own: FieldErrors = {}): boolean {
    const result = schema.safeParse(values);
    const errors: FieldErrors = { ...own };
    let message: string | null = null;
    for (const issue of result.success ? [] : result.error.issues) {
      const field = String(issue.path[0] ?? "");
      const plain = plainMessage(field, issue.code);
      if (plain) errors[field] ??= [plain];
      else message ??= issue.message;
    }
    if (Object.keys(errors).length === 0 && message === null) {
      clear();
      return true;
    }
    show(errors, message);
    return false;
  }

  function fromServer(error: ServerError) {
    // no `data`: the answer never came (offline), and its text would mean nothing to a person
    if (!error.data) {
      show({}, "Keysmith could not be reached; check your connection and try again.");
      return;
    }
    const errors: FieldErrors = {};
    let message: string | null = null;
    for (const [field, messages] of Object.entries(error.data.fieldErrors ?? {})) {
      const plain = plainMessage(field, "server");
      if (plain) errors[field] = [plain];
      else message ??= messages?.[0] ?? null;
    }
    show(errors, Object.keys(errors).length > 0 ? message : (message ?? error.message));
  }

  function clear() {
    setFieldErrors({});
    setFormError(null);
  }

  return { formRef, fieldErrors, formError, validate, fromServer, fail: show };
}
