"use client";

import { type TRPCClientErrorLike } from "@trpc/client";
import { useEffect, useRef, useState } from "react";
import { type z } from "zod";

import type { AppRouter } from "@keysmith/api";

import { focusFirstInvalid } from "./focus-first-invalid.ts";

export type FieldErrors = Partial<Record<string, string[]>>;

/** Field name (as the API spells it) to the words its form shows: { rate_limit_per_minute: "Rate limit" }. */
export type FieldLabels = Partial<Record<string, string>>;

const UNREACHABLE = "Keysmith could not be reached; check your connection and try again.";

/** A message in the form's words: the API's field names (`expires_at …`) become the labels the person sees. */
export function inPlainWords(message: string, labels: FieldLabels): string {
  let plain = message;
  for (const [field, label] of Object.entries(labels)) {
    const name = field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (label) plain = plain.replace(new RegExp(`(?<![\\w-])${name}(?![\\w-])`, "g"), label);
  }
  return plain;
}

/**
 * Client-side validation with the same zod schema the API uses, plus the
 * field errors the server sends back (tRPC's `data.fieldErrors`). Put
 * `formRef` on the form: after a failed submit its first invalid field gets
 * focus, and a server error about a field the form does not show is shown as
 * the form's error rather than lost. `labels` rewrites API field names in
 * messages into the form's words.
 */
export function useFieldErrors(labels: FieldLabels = {}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  // bumped by each failed submit: focus moves once the errors are on the page
  const [failures, setFailures] = useState(0);

  useEffect(() => {
    if (failures > 0) focusFirstInvalid(formRef.current);
  }, [failures]);

  function show(errors: FieldErrors, general: string | null) {
    const plain: FieldErrors = {};
    const unplaced: string[] = [];
    for (const [field, messages = []] of Object.entries(errors)) {
      const words = messages.map((message) => inPlainWords(message, labels));
      // without the form (no formRef) every field is assumed shown, as before
      if (!formRef.current || formRef.current.elements.namedItem(field)) plain[field] = words;
      else unplaced.push(...words);
    }
    setFieldErrors(plain);
    setFormError([general, ...unplaced].filter(Boolean).join(" ") || null);
    setFailures((count) => count + 1);
  }

  function validate<T extends z.ZodType>(schema: T, values: unknown): z.infer<T> | undefined {
    const result = schema.safeParse(values);
    if (result.success) {
      setFieldErrors({});
      setFormError(null);
      return result.data;
    }
    const errors: FieldErrors = {};
    const general: string[] = [];
    for (const issue of result.error.issues) {
      const field = issue.path[0];
      if (field === undefined) general.push(issue.message);
      else (errors[String(field)] ??= []).push(issue.message);
    }
    show(errors, general.length > 0 ? general.map((message) => inPlainWords(message, labels)).join(" ") : null);
    return undefined;
  }

  function fromServer(error: TRPCClientErrorLike<AppRouter>) {
    // no `data`: the answer never came (offline) or was not tRPC's, and its text would mean nothing to a person
    if (!error.data) {
      show({}, UNREACHABLE);
      return;
    }
    const fields = error.data.fieldErrors ?? {};
    show(fields, Object.keys(fields).length > 0 ? null : inPlainWords(error.message, labels));
  }

  return { formRef, fieldErrors, formError, validate, fromServer };
}
