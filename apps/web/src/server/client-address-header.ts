/**
 * The request header through which apps/web's server (server.ts) tells the
 * pages it renders who the client is. server.ts overwrites it on every
 * request, so a value a client sends never arrives.
 */
export const CLIENT_ADDRESS_HEADER = "x-keysmith-client-address";
