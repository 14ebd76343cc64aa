/**
 * Small real HTTP servers on free ports for the client's tests (a Keysmith
 * that misbehaves, one that never answers), and the rejection a call ends in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

import { expect } from "vitest";

import { KeysmithClientError } from "../src/index.ts";

const servers: Server[] = [];

/** Serves `handler` on a free port of 127.0.0.1; its origin. */
export async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes every server `listen` started (for afterAll). */
export async function closeServers(): Promise<void> {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
}

/** The KeysmithClientError `promise` rejects with (failing the test if it resolves or rejects with anything else). */
export async function rejection(promise: Promise<unknown>): Promise<KeysmithClientError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeysmithClientError);
  return error as KeysmithClientError;
}
