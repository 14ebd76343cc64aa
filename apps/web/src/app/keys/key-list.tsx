"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { type RouterOutputs } from "@keysmith/api";

import { useTRPC } from "~/trpc/react.tsx";

import { NewKeyDialog } from "./new-key-dialog.tsx";

type Key = RouterOutputs["apiKeys"]["list"][number];

/** UTC and fixed-format, so the server render and the browser agree. */
function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never";
}

/** What a person needs to know at a glance; `now` comes from the list's fetch time. */
function status(key: Key, now: number): { label: string; tone: "ok" | "warn" | "off" } {
  const revoked = key.revokedAt ? Date.parse(key.revokedAt) : null;
  if (revoked !== null && revoked <= now) return { label: `Revoked ${when(key.revokedAt)}`, tone: "off" };
  const expires = key.expiresAt ? Date.parse(key.expiresAt) : null;
  if (expires !== null && expires <= now) return { label: `Expired ${when(key.expiresAt)}`, tone: "off" };
  if (revoked !== null) return { label: `Rolled: works until ${when(key.revokedAt)}`, tone: "warn" };
  if (expires !== null) return { label: `Active until ${when(key.expiresAt)}`, tone: "ok" };
  return { label: "Active", tone: "ok" };
}

export function KeyList() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());

  if (keys.isPending) return <p>Loading your keys…</p>;
  if (keys.isError) return <p className="form-error">Your keys could not be loaded: {keys.error.message}</p>;
  return (
    <section className="card">
      <h2>Your keys</h2>
      {keys.data.length === 0 ? (
        <p className="empty">You have no API keys yet. Create one above.</p>
      ) : (
        <table className="keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Status</th>
              <th>Created</th>
              <th>Last used</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <KeyRow key={key.id} apiKey={key} now={keys.dataUpdatedAt} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const GRACE_CHOICES = [
  { seconds: 0, label: "no grace: revoke the old key now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "7 days" },
];

function KeyRow({ apiKey, now }: { apiKey: Key; now: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<"idle" | "delete" | "revoke" | "roll">("idle");
  const [grace, setGrace] = useState(3600);
  const [rolled, setRolled] = useState<RouterOutputs["apiKeys"]["roll"] | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const done = { onSettled: refresh, onSuccess: () => setMode("idle") };
  const remove = useMutation(trpc.apiKeys.delete.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions(done));
  const roll = useMutation(trpc.apiKeys.roll.mutationOptions({ ...done, onSuccess: (key) => { setRolled(key); setMode("idle"); } }));
  const state = status(apiKey, now);
  const usable = state.tone !== "off";
  const error = remove.error ?? revoke.error ?? roll.error;
  const busy = remove.isPending || revoke.isPending || roll.isPending;

  return (
    <tr data-testid={`key-row-${apiKey.id}`}>
      <td>
        <strong>{apiKey.name}</strong>
        {apiKey.description ? <div className="muted">{apiKey.description}</div> : null}
        <div className="muted">
          {apiKey.scopes.join(" · ")}
          {apiKey.rateLimitPerMinute ? ` · ${apiKey.rateLimitPerMinute}/min` : ""}
        </div>
      </td>
      <td>
        <code>{apiKey.partialKey}</code>
      </td>
      <td>
        <span className={`status status-${state.tone}`}>{state.label}</span>
      </td>
      <td>
        <time dateTime={apiKey.createdAt}>{when(apiKey.createdAt)}</time>
      </td>
      <td>{apiKey.lastUsedAt ? <time dateTime={apiKey.lastUsedAt}>{when(apiKey.lastUsedAt)}</time> : "never"}</td>
      <td className="actions">
        {mode === "idle" ? (
          <>
            {usable ? (
              <>
                <button type="button" className="secondary" onClick={() => setMode("roll")}>Roll</button>{" "}
                <button type="button" className="secondary" onClick={() => setMode("revoke")}>Revoke</button>{" "}
              </>
            ) : null}
            <button type="button" className="danger" onClick={() => setMode("delete")}>Delete</button>
          </>
        ) : (
          <span role="group" aria-label={`Confirm: ${mode} ${apiKey.name}`} className="confirm">
            {mode === "delete" ? <span className="muted">Delete? It stops working at once.</span> : null}
            {mode === "revoke" ? <span className="muted">Revoke? It stops working at once and stays listed.</span> : null}
            {mode === "roll" ? (
              <label className="muted">
                Old key keeps working for{" "}
                <select value={grace} onChange={(event) => setGrace(Number(event.target.value))} aria-label="Grace period">
                  {GRACE_CHOICES.map((choice) => (
                    <option key={choice.seconds} value={choice.seconds}>{choice.label}</option>
                  ))}
                </select>
              </label>
            ) : null}{" "}
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => {
                if (mode === "delete") remove.mutate({ id: apiKey.id });
                if (mode === "revoke") revoke.mutate({ id: apiKey.id });
                if (mode === "roll") roll.mutate({ id: apiKey.id, grace_seconds: grace });
              }}
            >
              {mode === "delete" ? "Yes, delete" : mode === "revoke" ? "Yes, revoke" : "Roll now"}
            </button>{" "}
            <button type="button" className="secondary" onClick={() => setMode("idle")}>Cancel</button>
          </span>
        )}
        {error ? <div className="form-error">{error.message}</div> : null}
        {rolled ? <NewKeyDialog created={rolled} rolled onClose={() => setRolled(null)} /> : null}
      </td>
    </tr>
  );
}
