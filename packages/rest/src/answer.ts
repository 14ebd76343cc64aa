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
