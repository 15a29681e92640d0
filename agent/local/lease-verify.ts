// The lease check `check` runs, with node:crypto alone: no jose, no zod. `check` starts a process
// every time CAD starts, and loading those two costs more than the whole check. The rules are
// shared/lease.ts verifyLease's (a test holds them equal), plus the header's `typ`.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Ed25519PublicJwk, LeaseClaims, LeaseVerifyResult } from '../../shared/lease.js';
import { leaseKeyId, leaseKeySetSigningInput, tokenKid, type PublishedLeaseKey } from '../../shared/lease-key-id.js';
import { hasExactKeys, isEd25519PublicJwk, isEntityId, isInt, isPlainObject, isProductCode } from '../state/shapes.js';

const LEASE_ISSUER = 'seatkeeper';
const LEASE_TYP = 'seatkeeper-lease+jwt';
const ACTIVATION_METHODS: readonly string[] = ['serial', 'named-user'];
const CLAIM_KEYS = ['iss', 'sub', 'org', 'dev', 'prod', 'meth', 'seat', 'iat', 'exp', 'jti'];
const B64URL = /^[A-Za-z0-9_-]+$/;

/** LeaseClaims (shared/lease.ts) as a plain predicate: exactly these keys, each of its shape. */
export function isLeaseClaims(v: unknown): v is LeaseClaims {
  if (!isPlainObject(v) || !hasExactKeys(v, CLAIM_KEYS)) return false;
  const c = v;
  return (
    c.iss === LEASE_ISSUER &&
    typeof c.sub === 'string' &&
    c.sub.length >= 1 &&
    c.sub.length <= 160 &&
    isEntityId(c.org) &&
    isEntityId(c.dev) &&
    isProductCode(c.prod) &&
    typeof c.meth === 'string' &&
    ACTIVATION_METHODS.includes(c.meth) &&
    isEntityId(c.seat) &&
    isInt(c.iat) &&
    (c.iat as number) >= 0 &&
    isInt(c.exp) &&
    (c.exp as number) > 0 &&
    isEntityId(c.jti)
  );
}

const keys = new Map<string, KeyObject>();

/** The pinned key as a KeyObject, imported once per process. Throws on a key that is not Ed25519. */
export function pinnedLeaseKey(jwk: Ed25519PublicJwk): KeyObject {
  if (!isEd25519PublicJwk(jwk)) throw new TypeError('the pinned lease key is not an Ed25519 public key');
  let key = keys.get(jwk.x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    keys.set(jwk.x, key);
  }
  return key;
}

function jsonOf(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Verifies a lease for this device at `now` (epoch seconds), synchronously. Only EdDSA with the
 * lease `typ` and no `crit` is accepted: a token re-signed with `alg: none`, an HMAC over the
 * public key or another kind of JWS signed by the same key is `tampered`, never trusted.
 */
export function verifyLeaseSync(token: string, publicKey: KeyObject, opts: { deviceId: string; now: number }): LeaseVerifyResult {
  if (typeof token !== 'string' || token.length > 4096) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  // Buffer's base64url decoding skips stray characters: only the alphabet may reach it.
  if (!B64URL.test(h) || !B64URL.test(p) || (s !== '' && !B64URL.test(s))) return { ok: false, reason: 'malformed' };
  const header = jsonOf(h);
  if (!isPlainObject(header) || typeof (header as { alg?: unknown }).alg !== 'string') return { ok: false, reason: 'malformed' };
  const { alg, typ, crit } = header as { alg: string; typ?: unknown; crit?: unknown };
  if (alg !== 'EdDSA' || typ !== LEASE_TYP || crit !== undefined) return { ok: false, reason: 'tampered' };
  const sig = Buffer.from(s, 'base64url');
  // One encoding per signature (no stray trailing bits), as jose's decoder demands.
  if (sig.length !== 64 || sig.toString('base64url') !== s) return { ok: false, reason: 'tampered' };
  if (!verify(null, Buffer.from(`${h}.${p}`), publicKey, sig)) return { ok: false, reason: 'tampered' };
  const claims = jsonOf(p);
  if (!isLeaseClaims(claims)) return { ok: false, reason: 'malformed' };
  if (claims.dev !== opts.deviceId) return { ok: false, reason: 'wrong-device' };
  if (opts.now >= claims.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/**
 * The key that checks `token`: the one its header names (`kid`; a token without one was signed by
 * the key pinned at enrollment). Without a published set only the pinned key is known; with one,
 * only the set's keys not retired at `nowMs` are, the pinned key included only while it is in the
 * set. null: no key this agent accepts signed it.
 */
export function leaseKeyFor(token: string, pinned: Ed25519PublicJwk, set: { keys: readonly PublishedLeaseKey[] } | null, nowMs: number): KeyObject | null {
  const pinnedKid = leaseKeyId(pinned.x);
  const kid = tokenKid(token) ?? pinnedKid;
  if (!set) return kid === pinnedKid ? pinnedLeaseKey(pinned) : null;
  const k = set.keys.find((e) => e.kid === kid);
  if (!k || (k.retiresAt !== null && nowMs >= k.retiresAt)) return null;
  return pinnedLeaseKey({ kty: 'OKP', crv: 'Ed25519', x: k.x });
}

/**
 * Whether to take a published set: a key this agent accepts now (per `current`, as leaseKeyFor)
 * must have signed it, and every key's id must be its thumbprint.
 */
export function trustsKeySet(
  offered: { keys: readonly PublishedLeaseKey[]; signatures: ReadonlyArray<{ kid: string; sig: string }> },
  pinned: Ed25519PublicJwk,
  current: { keys: readonly PublishedLeaseKey[] } | null,
  nowMs: number,
): boolean {
  if (!offered.keys.every((k) => leaseKeyId(k.x) === k.kid)) return false;
  const trusted = current
    ? current.keys.filter((k) => k.retiresAt === null || nowMs < k.retiresAt)
    : [{ kid: leaseKeyId(pinned.x), x: pinned.x, retiresAt: null }];
  const input = Buffer.from(leaseKeySetSigningInput(offered.keys), 'utf8');
  return offered.signatures.some((s) => {
    const k = trusted.find((t) => t.kid === s.kid);
    const sig = Buffer.from(s.sig, 'base64url');
    return !!k && sig.length === 64 && verify(null, input, pinnedLeaseKey({ kty: 'OKP', crv: 'Ed25519', x: k.x }), sig);
  });
}
