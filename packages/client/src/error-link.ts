import { type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";

import type { AppRouter } from "@keysmith/api";

import { KeysmithClientError } from "./client-error.ts";

/**
 * Turns every failure coming back down the link chain into a
 * KeysmithClientError. tRPC's client passes an error that already is a
 * TRPCClientError through untouched (`TRPCClientError.from`), and
 * KeysmithClientError is one, so `.query()` and `.mutate()` reject with it
 * while the procedures keep their inferred types.
 */
export const keysmithErrorLink: TRPCLink<AppRouter> = () => ({ op, next }) =>
  observable((observer) =>
    next(op).subscribe({
      next: (value) => observer.next(value),
      error: (error) => observer.error(KeysmithClientError.fromError(error)),
      complete: () => observer.complete(),
    }),
  );
