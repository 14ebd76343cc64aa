import "server-only";

import { headers } from "next/headers";
import { cache } from "react";

import { createCaller, createRequestContext } from "@keysmith/api";

import { CLIENT_ADDRESS_HEADER } from "./client-address-header.ts";

/**
 * The tRPC context of the page being rendered: who is asking, from their
 * cookie. A render cannot send cookies, so it never slides a session (the
 * server does, before rendering: see server.ts).
 */
export const serverContext = cache(async () => {
  const incoming = new Headers(await headers());
  return createRequestContext({
    headers: incoming,
    url: `http://${incoming.get("host") ?? "localhost"}/`,
    clientAddress: incoming.get(CLIENT_ADDRESS_HEADER) ?? "unknown",
  });
});

/** The signed-in user for this render, or null. */
export const currentUser = cache(async () => createCaller(await serverContext()).auth.me());
