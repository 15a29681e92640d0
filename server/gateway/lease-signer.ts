// Signs leases synchronously with node:crypto, so a transaction's continuation can sign and send
// without yielding (pushes then leave in the order their transactions ran). The bytes are exactly
// those shared/lease.ts signLease produces (Ed25519 is deterministic; a test compares them).
import { sign, type KeyObject } from 'node:crypto';
import { LEASE_ISSUER, LeaseClaims } from '../../shared/lease.js';
import type { Lease } from '../domain/model.js';

const HEADER = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'seatkeeper-lease+jwt' })).toString('base64url');

export function signLeaseSync(privateKey: KeyObject, claims: Omit<LeaseClaims, 'iss'>): string {
  const full = LeaseClaims.parse({ ...claims, iss: LEASE_ISSUER });
  const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
  const signature = sign(null, Buffer.from(`${HEADER}.${payload}`, 'ascii'), privateKey).toString('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** The token of a stored lease; signing the same record again gives the same token. */
export function tokenOf(privateKey: KeyObject, orgId: string, lease: Lease): string {
  return signLeaseSync(privateKey, {
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
}
