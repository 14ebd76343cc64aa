"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import { type RouterOutputs } from "@keysmith/api";
import { LIMITS, SCOPES, ZCreateApiKeyInput } from "@keysmith/validators";

import { Field } from "~/components/field.tsx";
import { useFieldErrors } from "~/components/use-field-errors.ts";
import { useTRPC } from "~/trpc/react.tsx";

import { NewKeyDialog } from "./new-key-dialog.tsx";

export function CreateKeyForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const { fieldErrors, formError, validate, fromServer } = useFieldErrors();
  // the one place the key's value lives on the page, until the dialog closes
  const [created, setCreated] = useState<RouterOutputs["apiKeys"]["create"] | null>(null);

  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (key) => {
        setCreated(key);
        form.current?.reset();
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
      onError: fromServer,
    }),
  );

  function onSubmit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // datetime-local is in the browser's time zone and has none written: make it explicit
    const expiresField = form.get("expires_at");
    const expires = typeof expiresField === "string" ? expiresField : "";
    const input = validate(ZCreateApiKeyInput, {
      name: form.get("name"),
      description: form.get("description"),
      expires_at: expires ? new Date(expires).toISOString() : null,
      scopes: form.getAll("scopes"),
      rate_limit_per_minute: form.get("rate_limit_per_minute"),
    });
    if (input) create.mutate(input);
  }

  return (
    <section className="card">
      <h2>Create a key</h2>
      <form ref={form} className="form" onSubmit={onSubmit} noValidate>
        <Field name="name" label="Name" errors={fieldErrors.name} maxLength={LIMITS.apiKeyName.max} hint="For example: production server" />
        <Field name="description" label="Description (optional)" multiline errors={fieldErrors.description} maxLength={LIMITS.apiKeyDescription.max} />
        <Field name="expires_at" label="Expires (optional)" type="datetime-local" errors={fieldErrors.expires_at} hint="Leave empty for a key that does not expire" />
        <fieldset className="field scopes">
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input type="checkbox" name="scopes" value={scope} defaultChecked /> <code>{scope}</code>
            </label>
          ))}
          {fieldErrors.scopes ? <span className="field-error" id="field-scopes-error" role="alert">{fieldErrors.scopes.join(" ")}</span> : null}
        </fieldset>
        <Field name="rate_limit_per_minute" label="Rate limit per minute (optional)" type="number" errors={fieldErrors.rate_limit_per_minute}
          hint="Verifications allowed per minute on each instance; empty for no limit" />
        {formError ? <p className="form-error" role="alert">{formError}</p> : null}
        <button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create key"}</button>
      </form>
      {created ? <NewKeyDialog created={created} onClose={() => setCreated(null)} /> : null}
    </section>
  );
}
