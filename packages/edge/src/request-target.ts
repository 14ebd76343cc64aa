import { badPercentEncoding } from "@keysmith/rest";
import { KeysmithError } from "@keysmith/validators";

/** Methods no Keysmith resource answers, refused before anything else looks at the request. */
const REFUSED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);
export const ALLOWED_METHODS = "GET, HEAD, POST, PATCH, DELETE";

/** A request target in origin-form: absolute-form ("http://h/a?b") without its scheme and host ("/a?b"). */
export function originForm(target: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (!scheme) return target;
  const rest = target.slice(scheme[0].length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/** The path of a request target: origin-form ("/a?b") or absolute-form ("http://h/a?b"). */
export function pathOf(target: string): string {
  const path = originForm(target);
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/**
 * Refuses, as written on the wire, what URL parsing would otherwise quietly
 * change: the WHATWG URL parser resolves "." and ".." segments, encoded ones
 * (%2e%2e) included, so /api/v1/%2e%2e/trpc/x would reach /api/trpc/x, and
 * reads a backslash as a slash. A path must name its resource directly, in
 * valid percent-encoding.
 */
export function checkRequestTarget(method: string, target: string): KeysmithError | undefined {
  if (REFUSED_METHODS.has(method)) {
    return new KeysmithError("METHOD_NOT_ALLOWED", `${method} is not supported here; use ${ALLOWED_METHODS}.`);
  }
  if (target === "*") {
    return new KeysmithError("BAD_REQUEST", `Requests for "*" (the whole server) are not supported; ask about a path, like OPTIONS /api/v1/api-keys.`);
  }
  const path = pathOf(target);
  if (!path.startsWith("/")) return new KeysmithError("BAD_REQUEST", "The request target must be a path starting with /.");
  if (path.includes("\\")) return new KeysmithError("BAD_REQUEST", "The path has a backslash; separate its segments with /.");
  if (!path.includes(".") && !path.includes("%")) return undefined;
  for (const segment of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return badPercentEncoding(segment);
    }
    if (decoded === "." || decoded === "..") {
      return new KeysmithError("BAD_REQUEST", `The path has a "${segment}" segment; ask for the resource by its own path.`);
    }
  }
  return undefined;
}
