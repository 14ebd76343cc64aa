import { type Metadata } from "next";
import { redirect } from "next/navigation";

import { fromSearchRecord } from "~/app/_lib/search-record.ts";
import { loginPath } from "~/components/login-path.ts";
import { currentUser } from "~/server/context.ts";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server.tsx";

import { activityFiltersFromParams, activityFiltersToSearch } from "./_lib/activity-filters.ts";
import { activityOptions } from "./_lib/activity-options.ts";
import { ActivityList } from "./activity-list.tsx";

import "./activity.css";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Activity" };

export default async function ActivityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filters = fromSearchRecord(activityFiltersFromParams, await searchParams);
  if (!(await currentUser())) redirect(loginPath(`/activity${activityFiltersToSearch(filters)}`));
  // awaited, so the HTML holds the first page and the browser's first render (same query, same key) matches it;
  // a failure is left to the browser to show (failed queries are not sent)
  await getQueryClient()
    .infiniteQuery(activityOptions(trpc, filters))
    .catch(() => undefined);
  return (
    <HydrateClient>
      <h1>Activity</h1>
      <p className="lead">What happened to your keys and your account, newest first: who did it, and from where.</p>
      <ActivityList />
    </HydrateClient>
  );
}
