import { redirect } from "next/navigation";

import { currentUser } from "~/server/context.ts";
import { HydrateClient, prefetch, trpc } from "~/trpc/server.tsx";

import { CreateKeyForm } from "./create-key-form.tsx";
import { KeyList } from "./key-list.tsx";

export const dynamic = "force-dynamic";

export default async function KeysPage() {
  const user = await currentUser();
  if (!user) redirect("/login");
  await prefetch(trpc.apiKeys.list.queryOptions());
  return (
    <HydrateClient>
      <h1>API keys</h1>
      <p className="lead">
        Signed in as {user.name} ({user.username}). Send a key as <code>Authorization: Bearer ak_…</code>.
      </p>
      <CreateKeyForm />
      <KeyList />
    </HydrateClient>
  );
}
