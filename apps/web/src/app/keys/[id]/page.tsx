import { type Metadata } from "next";
import { notFound, redirect } from "next/navigation";

import { loginPath } from "~/components/login-path.ts";
import { currentUser } from "~/server/context.ts";
import { HydrateClient, prefetch, trpc } from "~/trpc/server.tsx";

import { KeyDetails } from "./key-details.tsx";
import { loadKey } from "./load-key.ts";
import { recentEventsInput } from "./recent-events.ts";

import "../keys.css";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const user = await currentUser();
  const key = user ? await loadKey(id) : null;
  // signed in, no such key: the page is the 404 page, and so is its title
  return { title: key ? `Key “${key.name}”` : user ? "Page not found" : "API key" };
}

export default async function KeyPage({ params }: Props) {
  const { id } = await params;
  if (!(await currentUser())) redirect(loginPath(`/keys/${encodeURIComponent(id)}`));
  const key = await loadKey(id);
  if (!key) notFound();
  await prefetch(trpc.auditLog.list.queryOptions(recentEventsInput(key.id)));
  return (
    <HydrateClient>
      <KeyDetails key={key.id} id={key.id} />
    </HydrateClient>
  );
}
