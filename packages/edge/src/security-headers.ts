/**
 * Headers every response carries, API and pages alike: no sniffing, no
 * framing (clickjacking), no referrer leaving the site, no powerful browser
 * features.
 */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  "cross-origin-opener-policy": "same-origin",
};

/** JSON needs nothing: a response of the API may never run, load or frame anything. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The dashboard's policy: scripts only with this response's nonce (Next.js
 * puts it on its own scripts when it finds it in the request's CSP header),
 * and whatever those load ('strict-dynamic': Swagger UI's bundle). Inline
 * styles stay allowed: React's style props and Swagger UI use them. In
 * development Next's fast refresh needs eval and its websocket.
 */
export function pageContentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Sent only over HTTPS (directly, or behind a trusted proxy that says so): browsers ignore it on http anyway. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";
