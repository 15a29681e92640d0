import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { helloSigningInput } from '../../shared/protocol/hello.js';
import type { Lease } from '../domain/model.js';
import { CryptoPool } from './crypto-pool.js';
import { prepareTokens, signLeaseSync, tokenOf } from './lease-signer.js';

const pools: CryptoPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

function pool(size?: number) {
  const server = generateKeyPairSync('ed25519');
  const p = new CryptoPool(server.privateKey, size);
  pools.push(p);
  return { p, key: server.privateKey };
}

const lease = (jti: string): Lease => ({
  jti,
  deviceId: 'dev_1',
  subject: 'acc_1',
  productCode: 'ACAD',
  method: 'named-user',
  lineId: 'lin_1',
  issuedAt: 1_700_000_000_000,
  expiresAt: 1_700_003_600_000,
  status: 'active',
  revokedAt: null,
  revokeReason: null,
});

describe('crypto pool', () => {
  it.each([
    ['worker threads', 2],
    ['inline, with no workers', 0],
  ])('checks hello signatures in %s: a good one passes, a wrong nonce, device or key fails', async (_label, size) => {
    const { p } = pool(size);
    const device = generateKeyPairSync('ed25519');
    const x = device.publicKey.export({ format: 'jwk' }).x as string;
    const sig = signHello(device.privateKey, 'nonce-nonce-nonce-nonce', 'dev_1');
    const checks = await Promise.all([
      p.verify(x, helloSigningInput('nonce-nonce-nonce-nonce', 'dev_1'), sig),
      p.verify(x, helloSigningInput('other-nonce-other-nonce', 'dev_1'), sig),
      p.verify(x, helloSigningInput('nonce-nonce-nonce-nonce', 'dev_2'), sig),
      p.verify('not-a-key', helloSigningInput('nonce-nonce-nonce-nonce', 'dev_1'), sig),
      p.verify(x, helloSigningInput('nonce-nonce-nonce-nonce', 'dev_1'), 'AAAA'),
    ]);
    expect(checks).toEqual([true, false, false, false, false]);
  });

  it('signs lease tokens ahead that are byte for byte what signing inline gives', async () => {
    const { p, key } = pool(2);
    const leases = Array.from({ length: 300 }, (_, i) => lease(`lse_${i}`));
    await prepareTokens(p, key, 'org_1', leases);
    const other = generateKeyPairSync('ed25519').privateKey;
    for (const l of [leases[0]!, leases[299]!]) {
      const claims = { sub: l.subject, org: 'org_1', dev: l.deviceId, prod: l.productCode, meth: l.method, seat: l.lineId, iat: 1_700_000_000, exp: 1_700_003_600, jti: l.jti };
      expect(tokenOf(key, 'org_1', l)).toBe(signLeaseSync(key, claims));
      // Tokens are kept per key: another key signs its own.
      expect(tokenOf(other, 'org_1', l)).toBe(signLeaseSync(other, claims));
    }
  });

  it('still answers, inline, once its workers are gone', async () => {
    const { p, key } = pool(1);
    await p.close();
    const input = 'payload';
    const sig = await p.sign(input);
    expect(verify(null, Buffer.from(input), createPublicKey(key), Buffer.from(sig, 'base64url'))).toBe(true);
  });
});
