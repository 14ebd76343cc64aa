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

/** Whether `form` has a control for `field`: an input of that name, or a group marked `data-field` (an expiry made of a choice and a date). */
function shows(form: HTMLFormElement, field: string): boolean {
  const name = CSS.escape(field);
  return form.querySelector(`[name="${name}"], [data-field="${name}"]`) !== null;
}

/**
 * A field's message in a form's own words: `code` is the zod issue's code
 * from the shared schema, or "server" for a field the API refused. Null: use
 * the schema's or the server's message.
 */
export type PlainMessages = (field: string, code: string) => string | null;

/**
 * Client-side validation with the same zod schema the API uses, plus the
 * field errors the server sends back (tRPC's `data.fieldErrors`). Put
 * `formRef` on the form: after a failed submit its first invalid field gets
 * focus, and a server error about a field the form does not show is shown as
 * the form's error rather than lost. `labels` rewrites API field names in
 * messages into the form's words; `plain` replaces a field's messages with
 * one of the form's own.
 */
export function useFieldErrors({ labels = {}, plain }: { labels?: FieldLabels; plain?: PlainMessages } = {}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  // bumped by each failed submit: focus moves once the errors are on the page
  const [failures, setFailures] = useState(0);

  useEffect(() => {
    const form = formRef.current;
    if (failures === 0 || !form || focusFirstInvalid(form)) return;
    // an error about no field ("Wrong username or password."): the submit button, disabled while the request ran,
    // dropped focus to the page; start again from the first field, where the person will fix it
    if (!form.contains(document.activeElement)) form.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea")?.focus();
  }, [failures]);

  function show(errors: FieldErrors, general: string | null) {
    const plain: FieldErrors = {};
    const unplaced: string[] = [];
    for (const [field, messages = []] of Object.entries(errors)) {
      const words = messages.map((message) => inPlainWords(message, labels));
      // without the form (no formRef) every field is assumed shown, as before
      if (!formRef.current || shows(formRef.current, field)) plain[field] = words;
      else unplaced.push(...words);
    }
    setFieldErrors(plain);
    setFormError([general, ...unplaced].filter(Boolean).join(" ") || null);
    setFailures((count) => count + 1);
  }

  /** The parsed values, or undefined with the errors shown; `own` adds errors of the form's own checks (already in its words). */
  function validate<T extends z.ZodType>(schema: T, values: unknown, own: FieldErrors = {}): z.infer<T> | undefined {
    const result = schema.safeParse(values);
    if (result.success && Object.keys(own).length === 0) {
      setFieldErrors({});
      setFormError(null);
      return result.data;
    }
    const errors: FieldErrors = { ...own };
    const general: string[] = [];
    for (const issue of result.success ? [] : result.error.issues) {
      const field = issue.path[0];
      if (field === undefined) {
        general.push(issue.message);
        continue;
      }
      const name = String(field);
      if (own[name]) continue;
      const words = plain?.(name, issue.code);
      if (words) errors[name] = [words];
      else (errors[name] ??= []).push(issue.message);
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
    const fields: FieldErrors = {};
    const sent: FieldErrors = error.data.fieldErrors ?? {};
    for (const [field, messages] of Object.entries(sent)) {
      const words = plain?.(field, "server");
      fields[field] = words ? [words] : messages;
    }
    show(fields, Object.keys(fields).length > 0 ? null : inPlainWords(error.message, labels));
  }

  return { formRef, fieldErrors, formError, validate, fromServer, fail: show };
}
