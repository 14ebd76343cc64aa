/**
 * What the REST handler answers: a status, headers and a whole body. A plain
 * value rather than a fetch `Response`, so the lean server writes it to Node's
 * `ServerResponse` in one call; `toResponse` makes the fetch one.
 */
export interface RestAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function toResponse(answer: RestAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * The answer to a HEAD request: the GET's status and headers, no body (Node's
 * http leaves it out by itself). One without a body is returned as it is: the
 * edge strips every surface's HEAD answer, REST's included, which
 * `createRestHandler` already stripped for its other callers.
 */
export function withoutBody(response: Response): Response {
  if (response.body === null) return response;
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
}
