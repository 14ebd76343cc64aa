"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { useRef } from "react";

import { type RouterOutputs } from "@keysmith/api";

import { CreateKeyForm } from "./create-key-form.tsx";

/**
 * The create form in a dialog; on success it closes and hands the new key to
 * the show-once dialog. Closed otherwise, it gives focus back to `opener`:
 * the dialog has more than one opener, so no Dialog.Trigger knows it.
 */
export function CreateKeyDialog({ open, onOpenChange, onCreated, opener }: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (key: RouterOutputs["apiKeys"]["create"]) => void;
  opener: React.RefObject<HTMLElement | null>;
}) {
  const created = useRef(false);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog-content"
          onOpenAutoFocus={() => {
            created.current = false;
          }}
          // a stray click beside the dialog must not throw away what was typed; Esc and Cancel still close it
          onInteractOutside={(event) => event.preventDefault()}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            // focus belongs to the show-once dialog that opens next, not the button that opened this one
            if (!created.current) opener.current?.focus();
          }}
        >
          <Dialog.Title>Create a key</Dialog.Title>
          <Dialog.Description className="hint">The key is shown once, right after it is created.</Dialog.Description>
          <CreateKeyForm
            onCancel={() => onOpenChange(false)}
            onCreated={(key) => {
              created.current = true;
              onOpenChange(false);
              onCreated(key);
            }}
          />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
