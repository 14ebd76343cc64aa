import { HealthBadge } from "./health-badge.tsx";
import { HydrateClient, prefetch, trpc } from "~/trpc/server.tsx";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  await prefetch(trpc.health.check.queryOptions());
  return (
    <HydrateClient>
      <h1>Keysmith</h1>
      <p className="lead">API keys for your platform&apos;s users: issue them, list them, revoke them, and verify them on every request.</p>
      <HealthBadge />
    </HydrateClient>
  );
}
