/** Where a signed-in person goes when nothing (or nothing safe) says otherwise. */
export const AFTER_LOGIN = "/keys";

const PROBE_ORIGIN = "http://keysmith.invalid";

/**
 * `next` as a path on this site, or /keys. Only a same-origin path is
 * followed: "//evil.example" and "/\evil.example" are other sites to a
 * browser, and so is "/\t/evil.example" (URL parsing drops tabs and line
 * breaks), which is why the path is also parsed, not only looked at.
 */
export function safeNext(value: string | string[] | null | undefined): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return AFTER_LOGIN;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return AFTER_LOGIN;
  }
  if (url.origin !== PROBE_ORIGIN) return AFTER_LOGIN;
  // parsing removes dot segments, so "/.//evil.example" comes out as "//evil.example": check what is returned, too
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") || path.startsWith("/\\") ? AFTER_LOGIN : path;
}

/** `page` (/login or /signup) with `next` passed on; "/" stays as it is in the query, so it reads /login?next=/keys. */
export function withNext(page: string, next: string | null | undefined): string {
  return next ? `${page}?next=${encodeURIComponent(safeNext(next)).replaceAll("%2F", "/")}` : page;
}

/**
 * The login page, coming back to `next` (a path with its query) after. For a
 * page that sends signed-out people away on the server:
 * `if (!user) redirect(loginPath(`/keys/${id}`))`.
 */
export function loginPath(next: string): string {
  return withNext("/login", next);
}
