import { expect, test } from "vitest";

import { isCrossSiteRequest } from "../src/index.ts";

const URL_HTTP = "http://keys.example.com:3000/api/trpc/apiKeys.create";
const URL_HTTPS = "https://keys.example.com/api/v1/api-keys";

test.each([
  // Sec-Fetch-Site decides when the browser sends it
  ["Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }, URL_HTTP, false],
  ["Sec-Fetch-Site none (typed in the address bar)", { "sec-fetch-site": "none" }, URL_HTTP, false],
  ["Sec-Fetch-Site same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }, URL_HTTP, true],
  ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site", origin: "http://keys.example.com:3000" }, URL_HTTP, true],
  // else Origin must be the request's own origin: scheme, host and port
  ["no Sec-Fetch-Site and no Origin (not a browser)", {}, URL_HTTP, false],
  ["the same origin", { origin: "http://keys.example.com:3000" }, URL_HTTP, false],
  ["the same origin on the default port", { origin: "https://keys.example.com" }, URL_HTTPS, false],
  ["the same host and port over another scheme", { origin: "https://keys.example.com:3000" }, URL_HTTP, true],
  ["the same host over http when served over https", { origin: "http://keys.example.com" }, URL_HTTPS, true],
  ["the same host on another port", { origin: "http://keys.example.com:4000" }, URL_HTTP, true],
  ["another host", { origin: "http://evil.example:3000" }, URL_HTTP, true],
  ["a subdomain", { origin: "http://sub.keys.example.com:3000" }, URL_HTTP, true],
  ["Origin null (a sandboxed page)", { origin: "null" }, URL_HTTP, true],
  ["an unparseable Origin", { origin: "::::" }, URL_HTTP, true],
  ["a forged X-Forwarded-Host matching the Origin", { origin: "http://evil.example", "x-forwarded-host": "evil.example" }, URL_HTTP, true],
])("%s → cross-site: %s", (_, headers, url, expected) => {
  expect(isCrossSiteRequest(new Headers(headers), url)).toBe(expected);
});
