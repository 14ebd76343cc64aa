"use client";

import * as AlertDialog from "@radix-ui/react-alert-dialog";

/**
 * An action that needs a yes: the trigger opens an alert dialog (focus moves
 * into it, Esc cancels, focus returns to the trigger). It stays open while
 * the action runs, so a failure is shown where the person is looking.
 */
export function ConfirmDialog({ open, onOpenChange, trigger, title, description, confirmLabel, pending, error, onConfirm, onCloseAutoFocus, children }: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  trigger: string;
  title: string;
  description: React.ReactNode;
  confirmLabel: string;
  pending: boolean;
  error?: string | null | undefined;
  onConfirm: () => void;
  onCloseAutoFocus?: (event: Event) => void;
  children?: React.ReactNode;
}) {
  return (
    <AlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <AlertDialog.Trigger asChild>
        <button type="button" className="danger">{trigger}</button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog-content dialog-small" onCloseAutoFocus={onCloseAutoFocus}>
          <AlertDialog.Title>{title}</AlertDialog.Title>
          <AlertDialog.Description>{description}</AlertDialog.Description>
          {children}
          {error ? <p className="form-error" role="alert">{error}</p> : null}
          <div className="dialog-actions">
            <AlertDialog.Cancel asChild>
              <button type="button" className="secondary">Cancel</button>
            </AlertDialog.Cancel>
            <button type="button" className="danger" disabled={pending} onClick={onConfirm}>
              {pending ? "Working…" : confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
