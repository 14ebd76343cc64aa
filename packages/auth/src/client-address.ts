import { BlockList, isIP } from "node:net";

/** Named ranges KEYSMITH_TRUSTED_PROXIES accepts besides addresses and CIDRs (as Express's "trust proxy" does). */
const NAMED: Record<string, [string, number, "ipv4" | "ipv6"][]> = {
  loopback: [["127.0.0.0", 8, "ipv4"], ["::1", 128, "ipv6"]],
  linklocal: [["169.254.0.0", 16, "ipv4"], ["fe80::", 10, "ipv6"]],
  uniquelocal: [["10.0.0.0", 8, "ipv4"], ["172.16.0.0", 12, "ipv4"], ["192.168.0.0", 16, "ipv4"], ["fc00::", 7, "ipv6"]],
};

export class TrustedProxies {
  readonly #list = new BlockList();
  #empty = true;

  /**
   * From a comma-separated list of addresses, CIDR ranges and the names
   * loopback, linklocal and uniquelocal. A wrong entry throws, naming it.
   */
  static parse(value: string | undefined): TrustedProxies {
    const trusted = new TrustedProxies();
    for (const raw of (value ?? "").split(",")) {
      const entry = raw.trim();
      if (!entry) continue;
      const named = NAMED[entry.toLowerCase()];
      if (named) {
        for (const [network, prefix, type] of named) trusted.#list.addSubnet(network, prefix, type);
      } else {
        const [address = "", bits] = entry.split("/");
        const version = isIP(address);
        const prefix = bits === undefined ? (version === 6 ? 128 : 32) : Number(bits);
        if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (version === 6 ? 128 : 32)) {
          throw new Error(
            `KEYSMITH_TRUSTED_PROXIES has "${entry}", which is neither an IP address, a CIDR range (like 10.0.0.0/8) nor one of loopback, linklocal, uniquelocal.`,
          );
        }
        trusted.#list.addSubnet(address, prefix, version === 6 ? "ipv6" : "ipv4");
      }
      trusted.#empty = false;
    }
    return trusted;
  }

  trusts(address: string): boolean {
    if (this.#empty) return false;
    const version = isIP(address);
    return version !== 0 && this.#list.check(address, version === 6 ? "ipv6" : "ipv4");
  }
}

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) as "10.0.0.1". */
function normalize(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The address of the client that made a request. It is the socket's peer,
 * unless that peer is a trusted proxy: then X-Forwarded-For is walked from
 * its right end (the entry the trusted proxy wrote) past every further trusted
 * proxy, and the first address that is not one is the client. With no trusted
 * proxies the header is ignored, so a client cannot choose its own address.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | null, trusted: TrustedProxies): string {
  let address = socketAddress ? normalize(socketAddress) : "unknown";
  if (!forwardedFor || !trusted.trusts(address)) return address;
  const hops = forwardedFor.split(",").map((hop) => normalize(hop.trim())).filter(Boolean);
  while (trusted.trusts(address)) {
    const previous = hops.pop();
    if (previous === undefined || isIP(previous) === 0) break;
    address = previous;
  }
  return address;
}
