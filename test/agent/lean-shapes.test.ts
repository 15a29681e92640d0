// The lean `check` path reads files and verifies leases without zod or jose: each plain predicate
// answers exactly as the schema it stands for, and the node:crypto verification gives the same
// verdict as shared/lease.ts verifyLease on honest and hostile tokens alike.
import { createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_CODES } from '../../agent/local/catalog-codes.js';
import { isLeaseClaims, pinnedLeaseKey, verifyLeaseSync } from '../../agent/local/lease-verify.js';
import { leaseFileOf } from '../../agent/state/lease-file.js';
import { HeldLease, Tombstone } from '../../agent/state/lease-store.js';
import { isEd25519PublicJwk, isEntityId, isLeaseToken, isProductCode, REVOKE_REASONS } from '../../agent/state/shapes.js';
import { demoCatalog } from '../../shared/catalog.js';
import {
  Ed25519PublicJwk,
  exportLeasePublicJwk,
  generateLeaseKeyPair,
  LeaseClaims,
  signLease,
  verifyLease,
  type LeaseClaimsInput,
  type LeaseKeyPair,
} from '../../shared/lease.js';
import { EntityId, LeaseToken, ProductCode } from '../../shared/protocol/common.js';
import { RevokeReason } from '../../shared/protocol/lease.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const nowS = Math.floor(Date.now() / 1000);
const claims = (over: Partial<Record<keyof LeaseClaimsInput | 'extra', unknown>> = {}) => ({
  iss: 'seatkeeper', sub: 'acc_alice', org: 'org_1', dev: 'dev_a', prod: 'ACAD', meth: 'named-user', seat: 'line_1', iat: nowS - 60, exp: nowS + 3600, jti: 'lease_1', ...over,
});

// Strings near the edges of each shape: empty, long, odd characters, object member names.
const edgy = fc.oneof(
  fc.constantFrom('', 'a', 'A', 'SW-PREMIUM', 'sw-premium', '-X', '__proto__', 'constructor', 'toString', 'a.b:c_d-e', 'x'.repeat(32), 'X'.repeat(33), 'y'.repeat(128), 'y'.repeat(129), 'é', 'a b'),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9_.:-]{1,130}$/),
);
const anyValue = fc.oneof(edgy, fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constant(-1), fc.constant(0), fc.constant(2 ** 53));

describe('plain predicates answer as their zod schemas', () => {
  it('EntityId, ProductCode, LeaseToken', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        expect(isEntityId(v)).toBe(EntityId.safeParse(v).success);
        expect(isProductCode(v)).toBe(ProductCode.safeParse(v).success);
        expect(isLeaseToken(v)).toBe(LeaseToken.safeParse(v).success);
      }),
      { numRuns: 2000 },
    );
  });

  it('lease claims: each field at its edges, extra and missing keys', () => {
    const keys = Object.keys(claims()) as (keyof ReturnType<typeof claims>)[];
    fc.assert(
      fc.property(fc.constantFrom(...keys, 'extra' as const), anyValue, fc.boolean(), (key, value, drop) => {
        const c: Record<string, unknown> = claims({ [key]: value });
        if (drop) delete c[key];
        expect(isLeaseClaims(c)).toBe(LeaseClaims.safeParse(c).success);
      }),
      { numRuns: 3000 },
    );
    expect(isLeaseClaims(claims())).toBe(true);
    expect(isLeaseClaims([claims()])).toBe(false);
  });

  it('lease files: held, tombstone, and anything else is corrupt', () => {
    const token = `${b64({ alg: 'EdDSA' })}.${b64(claims())}.${'A'.repeat(86)}`;
    const entries = fc.oneof(
      fc.record({ token: fc.oneof(fc.constant(token), edgy), storedAt: anyValue }),
      fc.record({ token: fc.constant(token), storedAt: fc.integer(), extra: anyValue }),
      fc.record({ revoked: fc.record({ jti: edgy, reason: fc.oneof(fc.constantFrom(...RevokeReason.options, 'stolen'), edgy), at: anyValue }) }),
      fc.record({ revoked: fc.record({ jti: fc.constant('lease_1'), reason: fc.constant('reassigned'), at: fc.integer(), more: anyValue }) }),
      anyValue,
      fc.array(anyValue),
    );
    fc.assert(
      fc.property(entries, (raw) => {
        const kind = leaseFileOf(raw).kind;
        const expected = raw === null ? 'none' : HeldLease.safeParse(raw).success ? 'held' : Tombstone.safeParse(raw).success ? 'revoked' : 'corrupt';
        expect(kind).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('the pinned key shape, the revoke reasons and the catalog codes', () => {
    fc.assert(
      fc.property(fc.record({ kty: fc.constantFrom('OKP', 'EC'), crv: fc.constantFrom('Ed25519', 'X25519'), x: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), edgy) }), (jwk) => {
        expect(isEd25519PublicJwk(jwk)).toBe(Ed25519PublicJwk.safeParse(jwk).success);
      }),
    );
    expect(REVOKE_REASONS).toEqual(RevokeReason.options);
    expect(CATALOG_CODES).toEqual(demoCatalog.map((p) => p.code));
  });
});

describe('verifyLeaseSync gives verifyLease\'s verdict', () => {
  let key: LeaseKeyPair;
  let other: LeaseKeyPair;
  beforeAll(async () => {
    key = await generateLeaseKeyPair();
    other = await generateLeaseKeyPair();
  });

  it('on valid, forged, re-signed, edited, expired and foreign-device tokens', async () => {
    const jwk = await exportLeasePublicJwk(key.publicKey);
    const pinned = pinnedLeaseKey(jwk);
    const good = await signLease(key.privateKey, claims() as LeaseClaimsInput);
    const [h, p, s] = good.split('.') as [string, string, string];
    const tokens: Record<string, string> = {
      good,
      'another key': await signLease(other.privateKey, claims() as LeaseClaimsInput),
      'wrong device': await signLease(key.privateKey, claims({ dev: 'dev_b' }) as LeaseClaimsInput),
      expired: await signLease(key.privateKey, claims({ iat: nowS - 7200, exp: nowS - 1 }) as LeaseClaimsInput),
      'edited payload': `${h}.${b64(claims({ sub: 'acc_mallory' }))}.${s}`,
      'alg none': `${b64({ alg: 'none', typ: 'seatkeeper-lease+jwt' })}.${p}.`,
      'alg HS256': `${b64({ alg: 'HS256', typ: 'seatkeeper-lease+jwt' })}.${p}.${s}`,
      'header not JSON': `${b64('{nope')}.${p}.${s}`,
      'header an array': `${b64([1])}.${p}.${s}`,
      'no alg': `${b64({ typ: 'seatkeeper-lease+jwt' })}.${p}.${s}`,
      'two parts': `${h}.${p}`,
      'four parts': `${good}.x`,
      'short signature': `${h}.${p}.${s.slice(0, 40)}`,
      'stray characters': `${h}.${p}.${s.slice(0, 10)}*${s.slice(11)}`,
      empty: '',
    };
    for (const [name, token] of Object.entries(tokens)) {
      const want = await verifyLease(token, key.publicKey, { deviceId: 'dev_a', now: nowS });
      const got = verifyLeaseSync(token, pinned, { deviceId: 'dev_a', now: nowS });
      expect({ name, verdict: got }).toEqual({ name, verdict: want });
    }
    // The pinned key is the same key jose would use.
    expect(pinned.equals(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }))).toBe(true);
  });

  it('refuses, beyond jose, a token of another type or with critical extensions, even signed by the lease key', async () => {
    const pinned = pinnedLeaseKey(await exportLeasePublicJwk(key.publicKey));
    const { CompactSign } = await import('jose');
    const sign = (header: Record<string, unknown>) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(claims()))).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(key.privateKey);
    expect(verifyLeaseSync(await sign({ typ: 'JWT' }), pinned, { deviceId: 'dev_a', now: nowS })).toEqual({ ok: false, reason: 'tampered' });
    expect(verifyLeaseSync(await sign({}), pinned, { deviceId: 'dev_a', now: nowS })).toEqual({ ok: false, reason: 'tampered' });
  });
});
