"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { type RouterOutputs } from "@keysmith/api";

import { useTRPC } from "~/trpc/react.tsx";

import { ConfirmDialog } from "../_components/confirm-dialog.tsx";
import { NewKeyDialog } from "../_components/new-key-dialog.tsx";

type Detail = RouterOutputs["apiKeys"]["get"];

const GRACE_CHOICES = [
  { seconds: 0, label: "No grace: the old key stops now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "7 days" },
];

/** Roll, revoke and delete, each confirmed first. A roll shows its new key once. */
export function KeyActions({ apiKey }: { apiKey: Detail }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<"roll" | "revoke" | "delete" | null>(null);
  const [grace, setGrace] = useState(3600);
  const [rolled, setRolled] = useState<RouterOutputs["apiKeys"]["roll"] | null>(null);
  // set when the new key's dialog closes: focus goes to "Replaced by", which appears once the key is read again
  const [focusReplacement, setFocusReplacement] = useState(false);
  useEffect(() => {
    if (!focusReplacement) return;
    const link = document.getElementById("replaced-by-link");
    if (!link) return;
    link.focus();
    setFocusReplacement(false);
  }, [focusReplacement, apiKey.replacedBy?.id]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.pathKey() });

  const roll = useMutation(
    trpc.apiKeys.roll.mutationOptions({
      // the answer holds the new key: kept only in `rolled`, for the show-once dialog
      gcTime: 0,
      onSuccess: (key) => {
        setRolled(key);
        setConfirming(null);
        void refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => {
        setConfirming(null);
        void refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.apiKeys.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.pathKey() });
        // Back shows the router's copy of this page: stale, the key is asked for again there, not here, where it would answer "not found" as the page leaves
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.get.queryKey({ id: apiKey.id }), refetchType: "none" });
        router.push("/keys");
      },
    }),
  );

  const live = apiKey.status === "active" || apiKey.status === "expiring";
  const canRoll = live && !apiKey.rolledAt && !apiKey.replacedBy;
  const canRevoke = live || apiKey.status === "rolling";
  const open = (action: typeof confirming) => (next: boolean) => {
    setConfirming(next ? action : null);
    roll.reset();
    revoke.reset();
    remove.reset();
  };

  return (
    <div className="key-actions">
      {canRoll ? (
        <div className="key-action">
          <ConfirmDialog
            open={confirming === "roll"}
            onOpenChange={open("roll")}
            trigger="Roll"
            title={`Roll “${apiKey.name}”?`}
            description="A new key with the same name, scopes, expiry and rate limit replaces this one. The new key is shown once."
            confirmLabel="Roll now"
            pending={roll.isPending}
            error={roll.error?.message}
            onConfirm={() => roll.mutate({ id: apiKey.id, grace_seconds: grace })}
            // the new key's dialog takes focus, not the Roll button
            onCloseAutoFocus={(event) => {
              if (roll.isSuccess) event.preventDefault();
            }}
          >
            <div className="field">
              <label htmlFor="roll-grace">The old key keeps working for</label>
              <select id="roll-grace" value={grace} onChange={(event) => setGrace(Number(event.target.value))}>
                {GRACE_CHOICES.map((choice) => (
                  <option key={choice.seconds} value={choice.seconds}>{choice.label}</option>
                ))}
              </select>
            </div>
          </ConfirmDialog>
          <span className="hint">Replace it with a new key; the old one can keep working for a while.</span>
        </div>
      ) : null}
      {canRevoke ? (
        <div className="key-action">
          <ConfirmDialog
            open={confirming === "revoke"}
            onOpenChange={open("revoke")}
            trigger="Revoke"
            title={`Revoke “${apiKey.name}”?`}
            description="It stops working at once and stays listed as revoked."
            confirmLabel="Yes, revoke"
            pending={revoke.isPending}
            error={revoke.error?.message}
            onConfirm={() => revoke.mutate({ id: apiKey.id })}
            // Revoke goes once the key is read again: continue from the actions that are left
            onCloseAutoFocus={(event) => {
              if (!revoke.isSuccess) return;
              event.preventDefault();
              document.getElementById("key-actions-title")?.focus();
            }}
          />
          <span className="hint">Stop it working now; it stays in your list.</span>
        </div>
      ) : null}
      <div className="key-action">
        <ConfirmDialog
          open={confirming === "delete"}
          onOpenChange={open("delete")}
          trigger="Delete"
          title={`Delete “${apiKey.name}”?`}
          description="It stops working at once and leaves your list. This cannot be undone."
          confirmLabel="Yes, delete"
          pending={remove.isPending || remove.isSuccess}
          error={remove.error?.message}
          onConfirm={() => remove.mutate({ id: apiKey.id })}
        />
        <span className="hint">Stop it working and remove it.</span>
      </div>
      {rolled ? (
        <NewKeyDialog
          key={rolled.id}
          created={rolled}
          rolled
          onClosed={() => {
            setRolled(null);
            // the mutation still holds the answer (and so the key) while this page is open
            roll.reset();
            setFocusReplacement(true);
          }}
        />
      ) : null}
    </div>
  );
}
