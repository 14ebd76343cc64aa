"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";

import { type RouterInputs, type RouterOutputs } from "@keysmith/api";
import { LIMITS, SCOPES, ZCreateApiKeyInput } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { type FieldErrors, useFieldErrors } from "~/components/use-field-errors.ts";
import { useTRPC } from "~/trpc/react.tsx";

import { CreditsField } from "./_components/credits-field.tsx";
import { ExpiryField } from "./_components/expiry-field.tsx";
import { RateLimitField } from "./_components/rate-limit-field.tsx";
import { ScopeCheckboxes } from "./_components/scope-checkboxes.tsx";
import { CREDITS_FIELD, refillFrom } from "./_lib/credits.ts";
import { expiresAtFrom } from "./_lib/expiry.ts";
import { formText } from "./_lib/form-text.ts";
import { EXPIRY_MISSING, plainMessage, REFILL_NEEDS_CREDITS } from "./_lib/plain-messages.ts";
import { unreadableNumbers } from "./_lib/unreadable-numbers.ts";

export function CreateKeyForm({ onCreated, onCancel }: { onCreated: (key: RouterOutputs["apiKeys"]["create"]) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { formRef, fieldErrors, formError, validate, fromServer } = useFieldErrors({ plain: plainMessage });

  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      // the answer holds the key: the cache forgets it once this form is gone (the show-once dialog has it)
      gcTime: 0,
      onSuccess: (key) => {
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.pathKey() });
        onCreated(key);
      },
      onError: fromServer,
    }),
  );

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const expires = expiresAtFrom(form, Date.now());
    const input: RouterInputs["apiKeys"]["create"] = {
      name: formText(form, "name"),
      description: formText(form, "description"),
      expires_at: expires === false ? null : expires,
      scopes: form.getAll("scopes"),
      rate_limit_per_minute: formText(form, "rate_limit_per_minute"),
      remaining: formText(form, CREDITS_FIELD.remaining).trim(),
      refill: refillFrom(form),
    };
    const own: FieldErrors = unreadableNumbers(event.currentTarget);
    if (expires === false) own.expires_at = [EXPIRY_MISSING];
    // the schema says so too, but only once every other field is right; unreadable credits read as empty too, and have their own error
    if (input.refill && input.remaining === "" && !own.remaining) own.refill = [REFILL_NEEDS_CREDITS];
    if (validate(ZCreateApiKeyInput, input, own) !== undefined) create.mutate(input);
  }

  return (
    <form ref={formRef} className="form key-form" onSubmit={onSubmit} noValidate>
      <Field name="name" label="Name" errors={fieldErrors.name} maxLength={LIMITS.apiKeyName.max} hint="For example: production server" autoComplete="off" />
      <Field name="description" label="Description (optional)" multiline errors={fieldErrors.description} maxLength={LIMITS.apiKeyDescription.max} />
      <ExpiryField errors={fieldErrors.expires_at} />
      <ScopeCheckboxes scopes={SCOPES} errors={fieldErrors.scopes} />
      <RateLimitField errors={fieldErrors.rate_limit_per_minute} hint="Verifications allowed per minute, across all instances; empty for no limit" />
      <CreditsField errors={{ remaining: fieldErrors.remaining, refill: fieldErrors.refill }} />
      {formError ? <p className="form-error" role="alert">{formError}</p> : null}
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
        <button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create key"}</button>
      </div>
    </form>
  );
}
