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
