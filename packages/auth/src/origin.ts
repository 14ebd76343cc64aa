import { type HeaderReader } from "./header-reader.ts";

/**
 * True when a browser tells us the request comes from another site. Cookies
 * ride along on such requests, so cookie-authenticated mutations must refuse
 * them (CSRF). Non-browser clients send neither header and are not affected.
 *
 * `Sec-Fetch-Site` decides when present ("same-site" is another origin too);
 * otherwise `Origin` must equal the request's own origin: scheme, host and
 * port. `requestUrl` is the URL as the client addressed it (behind a trusted
 * proxy, its scheme and host; see the server's public URL).
 */
export function isCrossSiteRequest(headers: HeaderReader, requestUrl: string): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = headers.get("origin");
  if (!origin) return false;
  try {
    return new URL(origin).origin !== new URL(requestUrl).origin;
  } catch {
    return true;
  }
}
