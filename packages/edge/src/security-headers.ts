/**
 * Headers every response carries, API and pages alike: no sniffing, no
 * framing (clickjacking; X-Frame-Options for browsers that predate
 * frame-ancestors), no full URL leaving the site, no powerful browser features.
 */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "cross-origin-opener-policy": "same-origin",
};

/** JSON needs nothing: a response of the API may never run, load or frame anything. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The pages' policy. Scripts run only with this response's nonce (Next.js puts
 * it on its own scripts when it finds the policy in the request's headers) or
 * when a script holding it loads them ('strict-dynamic': Swagger UI's bundle,
 * which next/script inserts); 'self' only speaks to browsers without
 * 'strict-dynamic'. No eval: the browser bundle sets zod to jitless (see
 * apps/web/src/instrumentation-client.ts). Inline styles stay allowed: Next's
 * error pages and Swagger UI write style attributes, and a style cannot run
 * code. In development React's debugging needs eval, and fast refresh its
 * websocket, which 'self' covers.
 */
export function pageContentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Sent only over HTTPS (directly, or behind a trusted proxy that says so): browsers ignore it on http anyway. */
// not includeSubDomains: sibling hosts of a deployment are its owner's to decide, and may still serve plain http
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000";

const PAGE_LIST = Object.entries(COMMON_SECURITY_HEADERS).flat();
const PAGE_LIST_HTTPS = [...PAGE_LIST, "strict-transport-security", STRICT_TRANSPORT_SECURITY];
const API_LIST = [...PAGE_LIST, "content-security-policy", API_CONTENT_SECURITY_POLICY];
const API_LIST_HTTPS = [...PAGE_LIST_HTTPS, "content-security-policy", API_CONTENT_SECURITY_POLICY];

/**
 * The security headers the edge puts on a response, as one flat name, value
 * list: the common ones; over HTTPS, HSTS; on the API's answers, its policy
 * (pages get theirs from Next.js).
 */
export function edgeSecurityHeaders(https: boolean, api: boolean): readonly string[] {
  if (api) return https ? API_LIST_HTTPS : API_LIST;
  return https ? PAGE_LIST_HTTPS : PAGE_LIST;
}
