// Names of lease-signing keys, without zod or jose (the agent's lean `check` path loads this): a
// key's id is its RFC 7638 thumbprint, so the key a server has signed with since before keys had
// ids is named the same by every node and every agent without anyone storing the name.
import { createHash } from 'node:crypto';

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of the Ed25519 public key with this `x`. */
export function leaseKeyId(x: string): string {
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

/** One key of a published key set: what an agent needs to check leases signed with it. */
export interface PublishedLeaseKey {
  kid: string;
  /** the public key (base64url, 32 bytes) */
  x: string;
  /** epoch ms after which leases it signed are no longer valid; null while it has no end */
  retiresAt: number | null;
}

/**
 * The exact bytes each key of a set signs over the set: an agent takes a new set only when a key
 * it already trusts signed it, so a stranger on the wire cannot hand it a key of their own.
 */
export function leaseKeySetSigningInput(keys: readonly PublishedLeaseKey[]): string {
  return `seatkeeper-lease-keys:${JSON.stringify(keys.map((k) => ({ kid: k.kid, x: k.x, retiresAt: k.retiresAt })))}`;
}

/** The `kid` of a compact JWS's protected header, when it has a well-formed one. */
export function tokenKid(token: string): string | undefined {
  const h = token.split('.', 1)[0];
  if (!h || !/^[A-Za-z0-9_-]+$/.test(h)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' && header.kid.length <= 128 ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
