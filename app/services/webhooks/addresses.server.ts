/**
 * Where webhooks may go (ADR 0040): an administrator's address must not reach into the servers'
 * own network (the cloud's metadata service, the database, an internal admin page). Every address a
 * receiver's name resolves to is checked when Shora connects — the lookup the connection itself uses,
 * so a name that changes its answer between a check and the connection (DNS rebinding) gains nothing.
 * Hosts an operator trusts on a private network are named in SHORA_WEBHOOK_PRIVATE_HOSTS.
 */
import dns from "node:dns";
import net from "node:net";

const privateRanges = (() => {
  const list = new net.BlockList();
  for (const [address, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ] as const)
    list.addSubnet(address, prefix, "ipv4");
  for (const [address, prefix] of [
    ["::", 127],
    ["64:ff9b::", 96],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
  ] as const)
    list.addSubnet(address, prefix, "ipv6");
  return list;
})();

/** Whether `ip` belongs to a private, loopback, link-local, shared, multicast or reserved range. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return privateRanges.check(ip, "ipv4");
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return privateRanges.check(mapped[1], "ipv4");
  return privateRanges.check(ip, "ipv6");
}

/** The host names (or addresses) the operator lets webhooks reach on a private network. */
export function trustedPrivateHosts(env: Record<string, string | undefined> = process.env): Set<string> {
  return new Set(
    (env.SHORA_WEBHOOK_PRIVATE_HOSTS ?? "")
      .split(",")
      .map((h) =>
        h
          .trim()
          .toLowerCase()
          .replace(/^\[|\]$/g, ""),
      )
      .filter(Boolean),
  );
}

/** Host of a URL as compared with the trusted list (no brackets around IPv6). */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, "");

/**
 * Why a receiver's address may not be used before any lookup: an address literal (or localhost) in a
 * private range that the operator did not trust. Names are judged at each connection.
 */
export function privateTargetProblem(url: URL, trusted = trustedPrivateHosts()): "url_private" | null {
  const host = hostOf(url);
  if (trusted.has(host)) return null;
  if (host === "localhost" || host.endsWith(".localhost")) return "url_private";
  return net.isIP(host) && isPrivateAddress(host) ? "url_private" : null;
}

export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(`refused: ${host} resolves to ${address}, a private address (SHORA_WEBHOOK_PRIVATE_HOSTS)`);
    this.name = "PrivateAddressError";
  }
}

/**
 * A `lookup` for node:http(s) that refuses private answers for a host not trusted. Every answer is
 * checked (the connection may try any of them).
 */
export function guardedLookup(host: string, trusted = trustedPrivateHosts()): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list = addresses as dns.LookupAddress[];
      if (!trusted.has(host.toLowerCase())) {
        const bad = list.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(new PrivateAddressError(host, bad.address), "", 0);
      }
      if ((options as dns.LookupOptions).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${host}`), { code: "ENOTFOUND" }), "", 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs `body` to `target` and gives the answer's status, connecting only to addresses allowed above;
 * redirects are not followed (a 3xx is the answer).
 */
export async function postGuarded(
  target: string,
  input: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<number> {
  const url = new URL(target);
  const trusted = trustedPrivateHosts();
  if (privateTargetProblem(url, trusted)) throw new PrivateAddressError(hostOf(url), hostOf(url));
  const { request } = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...input.headers, "content-length": String(Buffer.byteLength(input.body)) },
        lookup: guardedLookup(hostOf(url), trusted),
        timeout: input.timeoutMs,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${input.timeoutMs / 1000} s`)));
    req.on("error", reject);
    req.end(input.body);
  });
}
