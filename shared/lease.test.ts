import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  exportLeasePrivateJwk,
  exportLeasePublicJwk,
  generateLeaseKeyPair,
  importLeasePrivateJwk,
  importLeasePublicJwk,
  peekLeaseClaims,
  signLease,
  verifyLease,
  type LeaseClaimsInput,
} from './lease.js';

const NOW = 1_760_000_000;
const claims: LeaseClaimsInput = {
  sub: 'acc_alice',
  org: 'org_acme',
  dev: 'dev_1',
  prod: 'SW-PREMIUM',
  meth: 'named-user',
  seat: 'line_1',
  iat: NOW,
  exp: NOW + 3600,
  jti: 'lease_1',
};
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('lease', () => {
  it('verifies a lease it signed and returns the claims', async () => {
    const { privateKey, publicKey } = await generateLeaseKeyPair();
    const token = await signLease(privateKey, claims);
    const r = await verifyLease(token, publicKey, { deviceId: 'dev_1', now: NOW + 10 });
    expect(r).toEqual({ ok: true, claims: { ...claims, iss: 'seatkeeper' } });
  });

  it('reports tampered when the payload was changed', async () => {
    const { privateKey, publicKey } = await generateLeaseKeyPair();
    const [h, , s] = (await signLease(privateKey, claims)).split('.');
    const forged = `${h}.${b64({ ...claims, iss: 'seatkeeper', exp: NOW + 10 * 365 * 86400 })}.${s}`;
    expect(await verifyLease(forged, publicKey, { deviceId: 'dev_1', now: NOW })).toEqual({ ok: false, reason: 'tampered' });
  });

  it('reports tampered when signed by another key', async () => {
    const server = await generateLeaseKeyPair();
    const attacker = await generateLeaseKeyPair();
    const token = await signLease(attacker.privateKey, claims);
    expect(await verifyLease(token, server.publicKey, { deviceId: 'dev_1', now: NOW })).toEqual({ ok: false, reason: 'tampered' });
  });

  it('reports wrong-device for a lease bound to another device', async () => {
    const { privateKey, publicKey } = await generateLeaseKeyPair();
    const token = await signLease(privateKey, claims);
    expect(await verifyLease(token, publicKey, { deviceId: 'dev_2', now: NOW })).toEqual({ ok: false, reason: 'wrong-device' });
  });

  it('reports expired at and after exp, valid one second before', async () => {
    const { privateKey, publicKey } = await generateLeaseKeyPair();
    const token = await signLease(privateKey, claims);
    expect((await verifyLease(token, publicKey, { deviceId: 'dev_1', now: claims.exp - 1 })).ok).toBe(true);
    expect(await verifyLease(token, publicKey, { deviceId: 'dev_1', now: claims.exp })).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects alg none', async () => {
    const { publicKey } = await generateLeaseKeyPair();
    const token = `${b64({ alg: 'none' })}.${b64({ ...claims, iss: 'seatkeeper' })}.`;
    expect(await verifyLease(token, publicKey, { deviceId: 'dev_1', now: NOW })).toEqual({ ok: false, reason: 'tampered' });
  });

  it('rejects HS256 keyed with the public key bytes', async () => {
    const { publicKey } = await generateLeaseKeyPair();
    const jwk = await exportLeasePublicJwk(publicKey);
    const token = await new SignJWT({ ...claims, iss: 'seatkeeper' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(Buffer.from(jwk.x, 'base64url'));
    expect(await verifyLease(token, publicKey, { deviceId: 'dev_1', now: NOW })).toEqual({ ok: false, reason: 'tampered' });
  });

  it.each([['not-a-token'], ['a.b.c'], ['']])('reports malformed for %j', async (token) => {
    const { publicKey } = await generateLeaseKeyPair();
    expect(await verifyLease(token, publicKey, { deviceId: 'dev_1', now: NOW })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign claims that are not a lease', async () => {
    const { privateKey } = await generateLeaseKeyPair();
    await expect(signLease(privateKey, { ...claims, prod: 'lower-case' })).rejects.toThrow();
  });

  it('round-trips keys through JWK', async () => {
    const pair = await generateLeaseKeyPair();
    const priv = await importLeasePrivateJwk(await exportLeasePrivateJwk(pair.privateKey));
    const pubJwk = await exportLeasePublicJwk(pair.publicKey);
    expect(pubJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const token = await signLease(priv, claims);
    const r = await verifyLease(token, await importLeasePublicJwk(pubJwk), { deviceId: 'dev_1', now: NOW });
    expect(r.ok).toBe(true);
    expect(peekLeaseClaims(token)?.jti).toBe('lease_1');
  });
});
