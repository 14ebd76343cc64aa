"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { type RouterOutputs } from "@keysmith/api";

import { useTRPC } from "~/trpc/react.tsx";

type Key = RouterOutputs["apiKeys"]["list"][number];

/** UTC and fixed-format, so the server render and the browser agree. */
function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never";
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
              <th>Created</th>
              <th>Last used</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <KeyRow key={key.id} apiKey={key} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function KeyRow({ apiKey }: { apiKey: Key }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(
    trpc.apiKeys.delete.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
    }),
  );

  return (
    <tr data-testid={`key-row-${apiKey.id}`}>
      <td>
        <strong>{apiKey.name}</strong>
        {apiKey.description ? <div className="muted">{apiKey.description}</div> : null}
      </td>
      <td>
        <code>{apiKey.partialKey}</code>
      </td>
      <td>
        <time dateTime={apiKey.createdAt}>{when(apiKey.createdAt)}</time>
      </td>
      <td>{apiKey.lastUsedAt ? <time dateTime={apiKey.lastUsedAt}>{when(apiKey.lastUsedAt)}</time> : "never"}</td>
      <td className="actions">
        {confirming ? (
          <span role="group" aria-label={`Confirm deleting ${apiKey.name}`}>
            <span className="muted">Delete? It stops working at once.</span>{" "}
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate({ id: apiKey.id })}>
              Yes, delete
            </button>{" "}
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
        {remove.isError ? <div className="form-error">{remove.error.message}</div> : null}
      </td>
    </tr>
  );
}
