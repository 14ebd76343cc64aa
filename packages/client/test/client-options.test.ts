/**
 * createKeysmithClient's options, refused when it is made rather than on
 * every call: a credential no HTTP header can carry, a url with a password
 * in it, a timeout Node cannot set.
 */
import { describe, expect, test } from "vitest";

import { createKeysmithClient } from "../src/index.ts";

const KEY = "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0";
const url = "http://127.0.0.1:9";

/** The error createKeysmithClient throws for `options`. */
function thrown(options: Parameters<typeof createKeysmithClient>[0]): Error {
  try {
    createKeysmithClient(options);
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("createKeysmithClient did not throw");
}

describe("createKeysmithClient", () => {
  test.each([
    ["a carriage return after it", `${KEY}\r`],
    ["a byte-order mark before it", `\ufeff${KEY}`],
    ["curly quotes around it", `\u201c${KEY}\u201d`],
    ["a space inside it", `${KEY.slice(0, 10)} ${KEY.slice(10)}`],
  ])("refuses an apiKey with %s with a TypeError that does not quote the key", (_, apiKey) => {
    const error = thrown({ url, apiKey });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      "createKeysmithClient: the credential holds a character an HTTP header cannot carry (a space, a line break, a byte-order mark, a curly quote?): check how it was copied.",
    );
    expect(error.message).not.toContain(KEY.slice(3, 13));
  });

  test("refuses a url with a user name and password, without quoting them", () => {
    const error = thrown({ url: "http://me:s3cret-pass@127.0.0.1:9", apiKey: KEY });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("createKeysmithClient: url must not hold a user name or password; the client authenticates with its apiKey or token.");
  });

  test.each([["not a url"], ["ftp://keysmith.example.com"]])("refuses the url %s as not an http(s) origin", (bad) => {
    const error = thrown({ url: bad, apiKey: KEY });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('createKeysmithClient: url must be Keysmith\'s http:// or https:// origin, like "https://keysmith.example.com".');
  });

  test.each([[Number.NaN], [Infinity], [-1], [0], [2.5], [5e9]])("refuses timeoutMs %s with a RangeError", (timeoutMs) => {
    const error = thrown({ url, apiKey: KEY, timeoutMs });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe("createKeysmithClient: timeoutMs must be a whole number of milliseconds from 1 to 2,147,483,647.");
  });

  test("takes a token, a url with a path and a trailing slash, and timeoutMs 1", () => {
    expect(() => createKeysmithClient({ url: "https://keysmith.example.com/base/", token: "a-token.value_1", timeoutMs: 1 })).not.toThrow();
  });
});
