import "server-only";

import { headers } from "next/headers";
import { cache } from "react";

import { createCaller, createRequestContext } from "@keysmith/api";

/** The tRPC context of the page being rendered: who is asking, from their cookie. */
export const serverContext = cache(async () => createRequestContext({ headers: new Headers(await headers()) }));

/** The signed-in user for this render, or null. */
export const currentUser = cache(async () => createCaller(await serverContext()).auth.me());
