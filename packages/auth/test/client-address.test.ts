import { describe, expect, test } from "vitest";

import { clientAddress, TrustedProxies } from "../src/index.ts";

const none = TrustedProxies.parse(undefined);

describe("the client's address", () => {
  test.each([
    ["the socket's address when no proxy is trusted, whatever X-Forwarded-For says", "203.0.113.9", "1.2.3.4", none, "203.0.113.9"],
    ["an IPv4 peer on a dual-stack socket, without its ::ffff: prefix", "::ffff:203.0.113.9", null, none, "203.0.113.9"],
    ["the socket's address when the peer is not a trusted proxy", "203.0.113.9", "1.2.3.4", TrustedProxies.parse("10.0.0.0/8"), "203.0.113.9"],
    ["the hop before a trusted proxy", "10.0.0.2", "198.51.100.7", TrustedProxies.parse("10.0.0.0/8"), "198.51.100.7"],
    ["past a chain of trusted proxies, the first untrusted hop from the right", "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", TrustedProxies.parse("10.0.0.0/8"), "198.51.100.7"],
    ["not a client's own entry further left (it cannot rotate it to escape limits)", "127.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.7", TrustedProxies.parse("loopback"), "198.51.100.7"],
    ["the proxy itself when it sent no X-Forwarded-For", "127.0.0.1", null, TrustedProxies.parse("loopback"), "127.0.0.1"],
    ["the last trusted hop when an entry is not an address", "10.0.0.2", "junk, 10.0.0.3", TrustedProxies.parse("uniquelocal"), "10.0.0.3"],
    ["an IPv6 client behind a trusted IPv6 proxy", "fd00::1", "2001:db8::5", TrustedProxies.parse("fc00::/7"), "2001:db8::5"],
    ["\"unknown\" without a socket address", undefined, "1.2.3.4", TrustedProxies.parse("loopback"), "unknown"],
  ])("is %s", (_, socket, forwardedFor, trusted, expected) => {
    expect(clientAddress(socket, forwardedFor, trusted)).toBe(expected);
  });
});

describe("KEYSMITH_TRUSTED_PROXIES", () => {
  test("takes addresses, CIDR ranges and the names loopback, linklocal and uniquelocal, comma-separated", () => {
    const trusted = TrustedProxies.parse(" 192.0.2.1, 198.51.100.0/24 ,loopback, fe80::/10 ");
    expect(["192.0.2.1", "198.51.100.200", "127.0.0.5", "::1", "fe80::1"].map((a) => trusted.trusts(a))).toEqual([true, true, true, true, true]);
    expect(["192.0.2.2", "198.51.101.1", "10.0.0.1", "2001:db8::1"].map((a) => trusted.trusts(a))).toEqual([false, false, false, false]);
  });

  test("trusts nobody when unset or empty", () => {
    for (const value of [undefined, "", " , "]) expect(TrustedProxies.parse(value).trusts("127.0.0.1")).toBe(false);
  });

  test.each(["10.0.0.0/33", "localhost", "10.0.0", "::1/129", "10.0.0.0/x"])("refuses %j, naming the entry", (value) => {
    expect(() => TrustedProxies.parse(value)).toThrow(`KEYSMITH_TRUSTED_PROXIES has "${value}", which is neither an IP address`);
  });
});
