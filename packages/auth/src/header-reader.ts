/**
 * What reading a request's headers takes: a fetch `Headers` is one, and so is
 * the lean server's view of Node's `IncomingMessage` headers, which spares
 * the hot path building a `Headers` object for every request.
 */
export type HeaderReader = Pick<Headers, "get">;
