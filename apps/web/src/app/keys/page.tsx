import { redirect } from "next/navigation";

import { currentUser } from "~/server/context.ts";

export const dynamic = "force-dynamic";

export default async function KeysPage() {
  const user = await currentUser();
  if (!user) redirect("/login");
  return (
    <>
      <h1>API keys</h1>
      <p className="lead">Signed in as {user.name} ({user.username}).</p>
    </>
  );
}
