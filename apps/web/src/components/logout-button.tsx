"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { useTRPC } from "~/trpc/react.tsx";

export function LogoutButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
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
