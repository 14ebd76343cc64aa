"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import { type RouterOutputs } from "@keysmith/api";
import { LIMITS, ZCreateApiKeyInput } from "@keysmith/validators";

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
    const input = validate(ZCreateApiKeyInput, Object.fromEntries(new FormData(event.currentTarget)));
    if (input) create.mutate(input);
  }

  return (
    <section className="card">
      <h2>Create a key</h2>
      <form ref={form} className="form" onSubmit={onSubmit} noValidate>
        <Field name="name" label="Name" errors={fieldErrors.name} maxLength={LIMITS.apiKeyName.max} hint="For example: production server" />
        <Field name="description" label="Description (optional)" multiline errors={fieldErrors.description} maxLength={LIMITS.apiKeyDescription.max} />
        {formError ? <p className="form-error" role="alert">{formError}</p> : null}
        <button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create key"}</button>
      </form>
      {created ? <NewKeyDialog created={created} onClose={() => setCreated(null)} /> : null}
    </section>
  );
}
