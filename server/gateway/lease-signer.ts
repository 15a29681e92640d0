// Signs leases synchronously with node:crypto, so a transaction's continuation can sign and send
// without yielding (pushes then leave in the order their transactions ran). The bytes are exactly
// those shared/lease.ts signLease produces (Ed25519 is deterministic; a test compares them).
// A lease's token never changes, so tokens are kept by jti: work that pushes many leases signs
// them ahead in the crypto pool (prepareTokens), and the synchronous path finds them ready.
import { sign, type KeyObject } from 'node:crypto';
import { LEASE_ISSUER, LeaseClaims } from '../../shared/lease.js';
import type { Lease } from '../domain/model.js';
import type { CryptoPool } from './crypto-pool.js';

const HEADER = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'seatkeeper-lease+jwt' })).toString('base64url');
/** Headers naming the key (`kid`) of each key of the server's key set (lease-key.ts registers them). */
const headers = new WeakMap<KeyObject, string>();

/** Leases signed with `privateKey` name it `kid`, so an agent holding several keys knows which checks them. */
export function registerLeaseKeyId(privateKey: KeyObject, kid: string): void {
  headers.set(privateKey, Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'seatkeeper-lease+jwt', kid })).toString('base64url'));
}

/** Tokens kept per signing key (a test server and its restart have different keys). */
const tokens = new WeakMap<KeyObject, Map<string, string>>();
/** A live lease's token is asked for again on every resend and reconnect; older ones fall out. */
const MAX_TOKENS = 100_000;

function signingInput(privateKey: KeyObject, claims: Omit<LeaseClaims, 'iss'>): string {
  const full = LeaseClaims.parse({ ...claims, iss: LEASE_ISSUER });
  return `${headers.get(privateKey) ?? HEADER}.${Buffer.from(JSON.stringify(full)).toString('base64url')}`;
}

export function signLeaseSync(privateKey: KeyObject, claims: Omit<LeaseClaims, 'iss'>): string {
  const input = signingInput(privateKey, claims);
  return `${input}.${sign(null, Buffer.from(input, 'ascii'), privateKey).toString('base64url')}`;
}

const claimsOf = (orgId: string, lease: Lease): Omit<LeaseClaims, 'iss'> => ({
  sub: lease.subject,
  org: orgId,
  dev: lease.deviceId,
  prod: lease.productCode,
  meth: lease.method,
  seat: lease.lineId,
  iat: Math.floor(lease.issuedAt / 1000),
  exp: Math.floor(lease.expiresAt / 1000),
  jti: lease.jti,
});

function cacheOf(privateKey: KeyObject): Map<string, string> {
  let m = tokens.get(privateKey);
  if (!m) tokens.set(privateKey, (m = new Map()));
  return m;
}

function keep(m: Map<string, string>, jti: string, token: string): void {
  if (m.size >= MAX_TOKENS) m.delete(m.keys().next().value!);
  m.set(jti, token);
}

/** The token of a stored lease; signing the same record again gives the same token. */
export function tokenOf(privateKey: KeyObject, orgId: string, lease: Lease): string {
  const m = cacheOf(privateKey);
  const known = m.get(lease.jti);
  if (known) return known;
  const token = signLeaseSync(privateKey, claimsOf(orgId, lease));
  keep(m, lease.jti, token);
  return token;
}

/** Signs the tokens of `leases` not known yet in the pool, so tokenOf finds them without signing. */
export async function prepareTokens(pool: CryptoPool, privateKey: KeyObject, orgId: string, leases: readonly Lease[]): Promise<void> {
  const m = cacheOf(privateKey);
  await Promise.all(
    leases
      .filter((l) => !m.has(l.jti))
      .map(async (l) => {
        const input = signingInput(privateKey, claimsOf(orgId, l));
        keep(m, l.jti, `${input}.${await pool.sign(input, privateKey)}`);
      }),
  );
}
