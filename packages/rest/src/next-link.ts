import { type RestAnswer } from "./answer.ts";

/**
 * Names a list's next page in a Link header (RFC 8288), so `data` keeps its
 * shape: the same address and query, with the page's cursor.
 */
export function withNextLink(response: RestAnswer, url: URL, nextCursor: string | null): RestAnswer {
  if (nextCursor) {
    const next = new URLSearchParams(url.searchParams);
    next.set("cursor", nextCursor);
    response.headers.link = `<${url.pathname}?${next.toString()}>; rel="next"`;
  }
  return response;
}
