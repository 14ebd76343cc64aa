import Link from "next/link";

import { currentUser } from "~/server/context.ts";
import { HydrateClient, prefetch, trpc } from "~/trpc/server.tsx";

import { HealthBadge } from "./health-badge.tsx";

export const dynamic = "force-dynamic";

const FEATURES = [
  { title: "Issue", text: "Create a key with a name, scopes, an optional expiry and a rate limit. Its value is shown once, when it is made." },
  { title: "List", text: "See every key with its status, scopes, and when it was created and last used." },
  { title: "Roll", text: "Replace a key with a new one and let the old one keep working for a grace period you choose." },
  { title: "Revoke", text: "Stop a key at once; it stays listed as revoked. Or delete it outright." },
  { title: "Verify", text: "Your services check a key with one call and get a plain answer: valid, expired, revoked, over its rate limit or missing a scope." },
  { title: "Only a hash kept", text: "Keysmith stores a hash of each key, never the key itself, so its database gives no key away." },
];

export default async function HomePage() {
  const [user] = await Promise.all([currentUser(), prefetch(trpc.health.check.queryOptions())]);
  return (
    <HydrateClient>
      <h1>Keysmith</h1>
      <p className="lead">
        API keys for your platform&apos;s users: issue them, list them, roll and revoke them, and verify them on every request. Use it from this
        dashboard, the <Link href="/docs/api">REST API</Link>, or the typed tRPC client.
      </p>
      <div className="actions-row">
        {user ? (
          <Link className="button" href="/keys">
            Go to your keys
          </Link>
        ) : (
          <>
            <Link className="button" href="/signup">
              Create an account
            </Link>
            <Link className="button secondary" href="/login">
              Log in
            </Link>
          </>
        )}
      </div>
      <ul className="features">
        {FEATURES.map((feature) => (
          <li key={feature.title}>
            <h2>{feature.title}</h2>
            <p>{feature.text}</p>
          </li>
        ))}
      </ul>
      <HealthBadge />
    </HydrateClient>
  );
}
