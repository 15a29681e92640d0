// The client's address: the socket's, or, when the socket is a configured trusted proxy, the
// nearest untrusted address in X-Forwarded-For. Fastify's req.ip follows the same rule (its
// trustProxy gets the same list); raw sockets (connection caps, WebSocket upgrades) use this.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export interface AddressPolicy {
  /** true when the socket's peer is a trusted proxy */
  trusts(address: string): boolean;
  clientOf(req: Pick<IncomingMessage, 'headers' | 'socket'>): string;
}

const plain = (a: string) => (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a);

/** The eight groups of an IPv6 address, '::' expanded (an embedded IPv4 tail becomes two groups). */
function groupsOf(a: string): string[] {
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    a = `${a.slice(0, -v4[1]!.length)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...middle, ...t].map((g) => parseInt(g, 16).toString(16));
}

/**
 * The key a per-address limit counts under. One IPv6 subscriber holds a whole /64 (2^64
 * addresses), so counting single IPv6 addresses would be no limit at all; an IPv4 address
 * counts the same whether it arrives plain or IPv4-mapped.
 */
export function addressKey(address: string): string {
  const a = plain(address);
  if (isIP(a) !== 6) return a;
  return `${groupsOf(a.split('%')[0]!).slice(0, 4).join(':')}::/64`;
}

export function addressPolicy(trustedProxies: readonly string[]): AddressPolicy {
  const list = new BlockList();
  for (const entry of trustedProxies) {
    const [addr, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(addr) === 6 ? 'ipv6' : isIP(addr) === 4 ? 'ipv4' : undefined;
    if (!family) throw new Error(`config.trustedProxies: ${entry} is not an address or CIDR`);
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  const trusts = (address: string): boolean => {
    const a = plain(address);
    const family = isIP(a) === 6 ? 'ipv6' : isIP(a) === 4 ? 'ipv4' : undefined;
    return trustedProxies.length > 0 && !!family && list.check(a, family);
  };
  return {
    trusts,
    clientOf(req) {
      let address = plain(req.socket.remoteAddress ?? '?');
      if (!trusts(address)) return address;
      const header = req.headers['x-forwarded-for'];
      const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
      // Right to left: the first address not ours is the client; anything left of it could be forged.
      while (hops.length > 0 && trusts(address)) address = plain(hops.pop()!);
      return address;
    },
  };
}
