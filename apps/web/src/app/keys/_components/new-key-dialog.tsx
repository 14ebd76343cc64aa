"use client";

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import * as Dialog from "@radix-ui/react-dialog";
import { useEffect, useState } from "react";

import { type RouterOutputs } from "@keysmith/api";

import { CopyButton } from "./copy-button.tsx";

type NewKey = Pick<RouterOutputs["apiKeys"]["create"], "id" | "name" | "key">;

/**
 * Shows a new key exactly once. Until it is copied (the Copy button, or a
 * copy of the selected key), closing asks first and leaving the page makes
 * the browser ask. `onClosed` runs once it has closed; the value is then
 * forgotten with the dialog.
 */
export function NewKeyDialog({ created, rolled = false, onClosed }: { created: NewKey; rolled?: boolean; onClosed: () => void }) {
  const [open, setOpen] = useState(true);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    // the copy finished after Done or Esc asked: the question no longer applies, and closing was what was asked for
    if (copied && confirming) {
      setConfirming(false);
      setOpen(false);
    }
  }, [copied, confirming]);

  useEffect(() => {
    if (copied || !open) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [copied, open]);

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (next) return;
        if (copied) setOpen(false);
        else setConfirming(true);
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog-content"
          onCloseAutoFocus={(event) => {
            // the opener decides where focus goes (the new key's row, say)
            event.preventDefault();
            onClosed();
          }}
        >
          <Dialog.Title>{rolled ? `The new key for “${created.name}”` : `Your new key “${created.name}”`}</Dialog.Title>
          <Dialog.Description className="new-key-warning">
            <strong>Copy it now: this is the only time it is shown.</strong> Keysmith keeps only a hash of it. If you lose it, roll or
            delete this key and create another.
          </Dialog.Description>
          <div className="new-key-box">
            {/* copying by hand counts only when the whole key was selected */}
            <code data-testid="new-key-value" onCopy={() => setCopied(document.getSelection()?.toString().trim() === created.key)}>
              {created.key}
            </code>
            <CopyButton value={created.key} label="Copy" className="" onCopied={() => setCopied(true)} />
          </div>
          <p className="new-key-id">
            Key id <code data-testid="new-key-id">{created.id}</code> <CopyButton value={String(created.id)} label="Copy id" copiedLabel="Id copied" />
          </p>
          <div className="dialog-actions">
            <Dialog.Close asChild>
              <button type="button" className="secondary">Done</button>
            </Dialog.Close>
          </div>
          <AlertDialog.Root open={confirming} onOpenChange={setConfirming}>
            <AlertDialog.Portal>
              <AlertDialog.Overlay className="dialog-overlay" />
              <AlertDialog.Content className="dialog-content dialog-small">
                <AlertDialog.Title>Close without copying?</AlertDialog.Title>
                <AlertDialog.Description>You have not copied this key. Close anyway? It cannot be shown again.</AlertDialog.Description>
                <div className="dialog-actions">
                  <AlertDialog.Cancel asChild>
                    <button type="button">Keep open</button>
                  </AlertDialog.Cancel>
                  <AlertDialog.Action asChild>
                    <button type="button" className="danger" onClick={() => setOpen(false)}>Close without copying</button>
                  </AlertDialog.Action>
                </div>
              </AlertDialog.Content>
            </AlertDialog.Portal>
          </AlertDialog.Root>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
