import { retryAfterSeconds, UnexpectedResponseError } from "./client-error.ts";

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The fetch the tRPC link uses: every call gets a deadline (a stalled
 * Keysmith must not hold the caller's requests forever; the middleware then
 * fails closed with 503), and an answer that is not JSON is turned into an
 * error that keeps its status, which tRPC's JSON parse would lose. Redirects
 * are not followed: a verify call's body holds the keys it verifies, and a
 * 307 would send them, in the clear, wherever its Location says.
 */
export function keysmithFetch(base: Fetch, timeoutMs: number): Fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    let response: Response;
    try {
      response = await base(input, { ...init, signal, redirect: "manual" });
    } catch (error) {
      if (deadline.aborted && !init?.signal?.aborted) throw new Error(`no answer within ${timeoutMs} ms.`, { cause: error });
      throw error;
    }
    // a browser's fetch answers a manual redirect as an "opaqueredirect" with status 0
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel();
      throw new UnexpectedResponseError(
        response.status,
        null,
        `Keysmith's url answered a redirect${response.status ? ` (HTTP ${response.status})` : ""}, which the client does not follow, so that keys are never sent elsewhere: set url to the origin Keysmith answers on.`,
      );
    }
    const type = response.headers.get("content-type") ?? "";
    if (!type.includes("json")) {
      // not read: it is some proxy's page, and the connection can be reused without it
      await response.body?.cancel();
      throw new UnexpectedResponseError(response.status, retryAfterSeconds(response.headers));
    }
    return checkedJson(response);
  };
}

/** A response whose JSON body was parsed already: json() hands out that value (tRPC's link reads only json()). */
class ParsedJsonResponse extends Response {
  readonly #parsed: unknown;

  constructor(text: string, parsed: unknown, like: Response) {
    super(text, { status: like.status, statusText: like.statusText, headers: like.headers });
    this.#parsed = parsed;
  }

  // consumed, as a read body is, so a second json() or text() fails as fetch's would
  override json = (): Promise<unknown> => this.text().then(() => this.#parsed);
}

/**
 * The response again, once its body is known to be JSON: tRPC's own parse
 * failure carries no status, so a broken body (a proxy's truncated answer,
 * a page mislabelled JSON) was reported as "Keysmith could not be reached".
 * The body is parsed once: what this check parsed is what json() answers.
 */
async function checkedJson(response: Response): Promise<Response> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UnexpectedResponseError(
      response.status,
      retryAfterSeconds(response.headers),
      `Keysmith answered HTTP ${response.status} with a body labelled JSON that is not JSON; is the url the Keysmith server's origin?`,
    );
  }
  return new ParsedJsonResponse(text, parsed, response);
}
