"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react.tsx";

export function HealthBadge() {
  const trpc = useTRPC();
  const health = useQuery(trpc.health.check.queryOptions());
  if (health.isPending) return <p className="badge">Checking the database…</p>;
  if (health.isError) return <p className="badge badge-error">Database unreachable: {health.error.message}</p>;
  return <p className="badge badge-ok">Database {health.data.database}</p>;
}
