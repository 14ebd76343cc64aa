"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { isUnauthorized } from "~/trpc/session-ended.ts";
import { useTRPC } from "~/trpc/react.tsx";

export function LogoutButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: (_data, error) => {
        // the session had already ended: the query client's handler is taking the person to log in
        if (isUnauthorized(error)) return;
        queryClient.clear();
        router.replace("/login");
        router.refresh();
      },
    }),
  );
  return (
    <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
      Log out
    </button>
  );
}
