// The lease: a compact JWS (EdDSA / Ed25519) the server signs and the agent checks offline with
// the public key it pinned at enrollment. Signature, device and expiry are checked here; the
// clock guard is the agent's (it needs state).
import { CompactSign, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, errors } from 'jose';
import type { CryptoKey, JWK, KeyObject } from 'jose';
import { z } from 'zod';
import { ActivationMethod, EntityId, ProductCode } from './protocol/common.js';

export const LEASE_ISSUER = 'seatkeeper';

export const LeaseClaims = z.strictObject({
  iss: z.literal(LEASE_ISSUER),
  /** account id, or "serial:<number>" for serial activation */
  sub: z.string().min(1).max(160),
  org: EntityId,
  /** device id the lease is bound to */
  dev: EntityId,
  prod: ProductCode,
  meth: ActivationMethod,
  /** contract line id the seat comes from */
  seat: EntityId,
  /** epoch seconds */
  iat: z.number().int().nonnegative(),
  /** epoch seconds */
  exp: z.number().int().positive(),
  jti: EntityId,
});
export type LeaseClaims = z.infer<typeof LeaseClaims>;

/** Claims as a signer writes them; `iss` is filled in. */
export type LeaseClaimsInput = Omit<LeaseClaims, 'iss'> & { iss?: typeof LEASE_ISSUER };

/** Any key jose accepts for Ed25519: a Web Crypto CryptoKey or a node:crypto KeyObject. */
export type LeaseKey = CryptoKey | KeyObject;

export type LeaseVerifyFailure = 'tampered' | 'wrong-device' | 'expired' | 'malformed';
export type LeaseVerifyResult = { ok: true; claims: LeaseClaims } | { ok: false; reason: LeaseVerifyFailure };

const LEASE_TYP = 'seatkeeper-lease+jwt';

/** Signs a lease. Throws (a ZodError) if the claims are not a valid lease. */
export async function signLease(privateKey: LeaseKey, claims: LeaseClaimsInput, opts: { kid?: string } = {}): Promise<string> {
  const full = LeaseClaims.parse({ ...claims, iss: LEASE_ISSUER });
  // `kid` names the key of the server's key set that signed, so agents holding several pick the right one.
  return new CompactSign(new TextEncoder().encode(JSON.stringify(full)))
    .setProtectedHeader({ alg: 'EdDSA', typ: LEASE_TYP, ...(opts.kid !== undefined ? { kid: opts.kid } : {}) })
    .sign(privateKey);
}

/**
 * Verifies a lease for this device at `now` (epoch seconds). Only EdDSA is accepted, so a token
 * re-signed with `alg: none` or an HMAC over the public key is `tampered`, never trusted.
 */
export async function verifyLease(
  token: string,
  publicKey: LeaseKey,
  opts: { deviceId: string; now: number },
): Promise<LeaseVerifyResult> {
  if (typeof token !== 'string' || token.split('.').length !== 3) return { ok: false, reason: 'malformed' };
  try {
    decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, publicKey, { algorithms: ['EdDSA'] }));
  } catch (e) {
    if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JOSEAlgNotAllowed) {
      return { ok: false, reason: 'tampered' };
    }
    if (e instanceof errors.JOSENotSupported) return { ok: false, reason: 'tampered' };
    return { ok: false, reason: 'malformed' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = LeaseClaims.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const claims = parsed.data;
  if (claims.dev !== opts.deviceId) return { ok: false, reason: 'wrong-device' };
  if (opts.now >= claims.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/**
 * Reads the claims WITHOUT checking the signature: for display and bookkeeping (which product a
 * stored token is for) only, never for a decision to let a product run.
 */
export function peekLeaseClaims(token: string): LeaseClaims | null {
  const part = token.split('.')[1];
  if (part === undefined) return null;
  try {
    const parsed = LeaseClaims.safeParse(JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The public half of a lease key as pinned by agents. */
export const Ed25519PublicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().length(43).regex(/^[A-Za-z0-9_-]+$/),
  kid: z.string().max(128).optional(),
  alg: z.literal('EdDSA').optional(),
  use: z.literal('sig').optional(),
});
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwk>;

/** The private half, as the server stores it. */
export const Ed25519PrivateJwk = Ed25519PublicJwk.extend({ d: z.string().length(43).regex(/^[A-Za-z0-9_-]+$/) });
export type Ed25519PrivateJwk = z.infer<typeof Ed25519PrivateJwk>;

export interface LeaseKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A fresh Ed25519 key pair (extractable, so it can be stored as JWK). */
export async function generateLeaseKeyPair(): Promise<LeaseKeyPair> {
  const pair = await generateKeyPair('Ed25519', { extractable: true });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey };
}

export async function exportLeasePublicJwk(key: LeaseKey): Promise<Ed25519PublicJwk> {
  const jwk = await exportJWK(key);
  return Ed25519PublicJwk.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
}

export async function exportLeasePrivateJwk(key: LeaseKey): Promise<Ed25519PrivateJwk> {
  const jwk = await exportJWK(key);
  return Ed25519PrivateJwk.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d });
}

export async function importLeasePublicJwk(jwk: Ed25519PublicJwk): Promise<CryptoKey> {
  const { kty, crv, x } = Ed25519PublicJwk.parse(jwk);
  return (await importJWK({ kty, crv, x } satisfies JWK, 'EdDSA')) as CryptoKey;
}

export async function importLeasePrivateJwk(jwk: Ed25519PrivateJwk): Promise<CryptoKey> {
  const { kty, crv, x, d } = Ed25519PrivateJwk.parse(jwk);
  return (await importJWK({ kty, crv, x, d } satisfies JWK, 'EdDSA')) as CryptoKey;
}
