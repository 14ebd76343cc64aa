import { type FromParams } from "./use-url-params.ts";

/**
 * Reads a page's filters from the search params Next.js hands it (a record):
 * the first value of each wins, as URLSearchParams.get does in the browser,
 * so the server's render and the browser's agree.
 */
export function fromSearchRecord<T>(fromParams: FromParams<T>, params: Record<string, string | string[] | undefined>): T {
  return fromParams((name) => {
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  });
}
