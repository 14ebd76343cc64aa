"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";

import { When } from "~/app/_components/when.tsx";
import { useTRPC } from "~/trpc/react.tsx";

import { LeakWhere } from "./_components/leak-where.tsx";

/**
 * Keys revoked because they were found in public, until the owner dismisses
 * the banner: each with where it was found, so they can replace it where it
 * is used. Dismissing keeps the keys revoked and marked leaked.
 */
export function LeakBanner() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const leaks = useQuery(trpc.apiKeys.leaks.queryOptions());
  const dismiss = useMutation(
    trpc.apiKeys.acknowledgeLeaks.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.leaks.queryKey() }),
    }),
  );
  const keys = leaks.data ?? [];
  if (keys.length === 0) return null;
  return (
    <section className="leak-banner" aria-labelledby="leak-banner-title" data-testid="leak-banner">
      <h2 id="leak-banner-title">{keys.length === 1 ? "A key of yours was leaked and has been revoked" : `${keys.length} keys of yours were leaked and have been revoked`}</h2>
      <ul>
        {keys.map((key) => (
          <li key={key.id}>
            <Link href={`/keys/${key.id}`} prefetch={false}>{key.name}</Link> (<code>{key.partialKey}</code>):{" "}
            {key.leak ? <><LeakWhere leak={key.leak} />, <When iso={key.leak.at} show="relative" />.</> : null}
          </li>
        ))}
      </ul>
      <p>Anyone who saw it could have used it until then. Create a new key, put it where the old one was used, and remove the old one from where it leaked.</p>
      {dismiss.error ? <p className="form-error" role="alert">{dismiss.error.message}</p> : null}
      <button type="button" disabled={dismiss.isPending} onClick={() => dismiss.mutate({ ids: keys.map((key) => key.id) })}>
        {dismiss.isPending ? "Dismissing…" : "Dismiss"}
      </button>
    </section>
  );
}
