"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { type RouterInputs, type RouterOutputs } from "@keysmith/api";
import { LIMITS, ZUpdateApiKeyFields } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { type FieldErrors, useFieldErrors } from "~/components/use-field-errors.ts";
import { useTRPC } from "~/trpc/react.tsx";

import { CreditsField } from "../_components/credits-field.tsx";
import { ExpiryField } from "../_components/expiry-field.tsx";
import { RateLimitField } from "../_components/rate-limit-field.tsx";
import { ScopeCheckboxes } from "../_components/scope-checkboxes.tsx";
import { CREDITS_FIELD, refillFrom, sameRefill } from "../_lib/credits.ts";
import { expiresAtFrom } from "../_lib/expiry.ts";
import { formText } from "../_lib/form-text.ts";
import { EXPIRY_MISSING, plainMessage, REFILL_NEEDS_CREDITS } from "../_lib/plain-messages.ts";
import { unreadableNumbers } from "../_lib/unreadable-numbers.ts";

type Detail = RouterOutputs["apiKeys"]["get"];
type Changes = Omit<RouterInputs["apiKeys"]["update"], "id">;

/**
 * Sends only what changed. A revoked or expired key keeps only its name and
 * description editable, as the API does. `onSubmitStart` runs at each
 * submit, before any check; `onSaved` once a change is saved.
 */
export function EditKeyForm({ apiKey, onSubmitStart, onSaved }: { apiKey: Detail; onSubmitStart: () => void; onSaved: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { formRef, fieldErrors, formError, validate, fromServer, fail } = useFieldErrors({ plain: plainMessage });
  const ended = apiKey.status === "revoked" || apiKey.status === "expired";

  const update = useMutation(
    trpc.apiKeys.update.mutationOptions({
      onSuccess: (summary) => {
        queryClient.setQueryData(trpc.apiKeys.get.queryKey({ id: apiKey.id }), (old) => (old ? { ...old, ...summary } : old));
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.pathKey() });
        // the page title holds the name
        router.refresh();
        onSaved();
      },
      onError: fromServer,
    }),
  );

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmitStart();
    const form = new FormData(event.currentTarget);
    const changes: Changes = {};
    const name = formText(form, "name");
    if (name.trim() !== apiKey.name) changes.name = name;
    const description = formText(form, "description");
    if (description.trim() !== (apiKey.description ?? "")) changes.description = description;
    const own: FieldErrors = unreadableNumbers(event.currentTarget);
    if (!ended) {
      const expires = expiresAtFrom(form, Date.now());
      if (expires === false) own.expires_at = [EXPIRY_MISSING];
      else if (expires !== undefined) changes.expires_at = expires;
      const rate = formText(form, "rate_limit_per_minute").trim();
      if (rate !== (apiKey.rateLimitPerMinute?.toString() ?? "")) changes.rate_limit_per_minute = rate === "" ? null : rate;
      // the credits field follows the key's credits until it is typed in, so an untouched one is unchanged
      const credits = formText(form, CREDITS_FIELD.remaining).trim();
      if (credits !== (apiKey.remaining?.toString() ?? "")) changes.remaining = credits === "" ? null : credits;
      const refill = refillFrom(form);
      if (!sameRefill(refill, apiKey.refill)) changes.refill = refill;
      // unlimited use has nothing to refill: say so rather than drop the refill unasked (unreadable credits read as empty too, and have their own error)
      if (credits === "" && refill && !own.remaining) own.refill = [REFILL_NEEDS_CREDITS];
      const scopes = form.getAll("scopes");
      if (scopes.length !== apiKey.scopes.length) changes.scopes = scopes;
    }
    if (Object.keys(changes).length === 0 && Object.keys(own).length === 0) {
      fail({}, "Nothing to save: change a field first.");
      return;
    }
    if (validate(ZUpdateApiKeyFields, changes, own) !== undefined) update.mutate({ id: apiKey.id, ...changes });
  }

  return (
    <form ref={formRef} className="form key-form" onSubmit={onSubmit} noValidate>
      <Field name="name" label="Name" defaultValue={apiKey.name} errors={fieldErrors.name} maxLength={LIMITS.apiKeyName.max} autoComplete="off" />
      <Field
        name="description"
        label="Description (optional)"
        multiline
        defaultValue={apiKey.description ?? ""}
        errors={fieldErrors.description}
        maxLength={LIMITS.apiKeyDescription.max}
      />
      {ended ? (
        <p className="hint">
          This key has {apiKey.status === "revoked" ? "been revoked" : "expired"}: only its name and description can change.
        </p>
      ) : null}
      <ExpiryField editing current={apiKey.expiresAt} errors={fieldErrors.expires_at} disabled={ended} />
      <RateLimitField errors={fieldErrors.rate_limit_per_minute} hint="Empty for no limit" defaultValue={apiKey.rateLimitPerMinute ?? ""} disabled={ended} />
      <CreditsField
        errors={{ remaining: fieldErrors.remaining, refill: fieldErrors.refill }}
        current={{ remaining: apiKey.remaining, refill: apiKey.refill }}
        disabled={ended}
      />
      <ScopeCheckboxes
        scopes={apiKey.scopes}
        errors={fieldErrors.scopes}
        disabled={ended}
        hint="Scopes can only be narrowed: untick one to take it from this key. For wider access, create a new key."
      />
      {formError ? <p className="form-error" role="alert">{formError}</p> : null}
      <div>
        <button type="submit" disabled={update.isPending}>{update.isPending ? "Saving…" : "Save changes"}</button>
      </div>
    </form>
  );
}
