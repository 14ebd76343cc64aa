import { type Metadata } from "next";
import { redirect } from "next/navigation";

import { fromSearchRecord } from "~/app/_lib/search-record.ts";
import { loginPath } from "~/components/login-path.ts";
import { currentUser } from "~/server/context.ts";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server.tsx";

import { filtersFromParams, filtersToSearch } from "./_lib/list-filters.ts";
import { keyListOptions } from "./_lib/list-options.ts";
import { KeysView } from "./keys-view.tsx";

import "./keys.css";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filters = fromSearchRecord(filtersFromParams, await searchParams);
  const user = await currentUser();
  if (!user) redirect(loginPath(`/keys${filtersToSearch(filters)}`));
  // awaited, so the HTML holds the first page and the browser's first render (same query, same key) matches it
  // a failure is left to the browser to show (failed queries are not sent)
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.infiniteQuery(keyListOptions(trpc, filters)).catch(() => undefined),
    // the leak banner arrives with the page rather than pushing the list down once loaded
    queryClient.query(trpc.apiKeys.leaks.queryOptions()).catch(() => undefined),
  ]);
  return (
    <HydrateClient>
      <h1>API keys</h1>
      <p className="lead">
        Signed in as {user.name} ({user.username}). Send a key as <code>Authorization: Bearer ak_…</code>.
      </p>
      <KeysView />
    </HydrateClient>
  );
}
