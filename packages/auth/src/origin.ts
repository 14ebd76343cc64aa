/**
 * True when a browser tells us the request comes from another site. Cookies
 * ride along on such requests, so cookie-authenticated mutations must refuse
 * them (CSRF). Non-browser clients send neither header and are not affected.
 */
export function isCrossSiteRequest(headers: Headers): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = headers.get("origin");
  if (!origin) return false;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
