import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signLease, verifyLease } from '../../shared/lease.js';
import { loadOrCreateLeaseKey } from '../../server/gateway/lease-key.js';
import { signLeaseSync } from '../../server/gateway/lease-signer.js';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'sk-leasekey-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const claims = { sub: 'acc_1', org: 'org_1', dev: 'dev_1', prod: 'ACAD', meth: 'serial' as const, seat: 'lin_1', iat: 1_700_000_000, exp: 1_700_086_400, jti: 'lse_1' };

describe('lease key', () => {
  it('is created on first start with mode 0600 and the same key is loaded after', async () => {
    const dir = await tempDir();
    const a = await loadOrCreateLeaseKey(dir);
    expect((await stat(join(dir, 'lease-key.json'))).mode & 0o777).toBe(0o600);
    const b = await loadOrCreateLeaseKey(dir);
    expect(b.publicJwk).toEqual(a.publicJwk);
    expect(a.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it('refuses to start over a key file that is not a key, instead of replacing it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lease-key.json'), '{"kty":"RSA"}');
    await expect(loadOrCreateLeaseKey(dir)).rejects.toThrow(/not an Ed25519 private key/);
  });

  it('signs synchronously exactly what shared signLease signs, and verifyLease accepts it', async () => {
    const key = await loadOrCreateLeaseKey(await tempDir());
    const sync = signLeaseSync(key.privateKey, claims);
    expect(sync).toBe(await signLease(key.privateKey, claims, { kid: key.kid }));
    const v = await verifyLease(sync, key.publicKey, { deviceId: 'dev_1', now: claims.iat + 10 });
    expect(v).toEqual({ ok: true, claims: { ...claims, iss: 'seatkeeper' } });
  });
});
