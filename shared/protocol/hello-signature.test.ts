import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHello, verifyHelloSignature } from './hello-signature.js';
import { Hello } from './hello.js';

describe('hello signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  const nonce = 'n0nce-n0nce-n0nce-n0nce';

  it('verifies for the same nonce and device and fits the Hello schema', () => {
    const signature = signHello(privateKey, nonce, 'dev_1');
    expect(verifyHelloSignature(x, nonce, 'dev_1', signature)).toBe(true);
    const hello = { v: 1, type: 'hello', protocol: 1, deviceId: 'dev_1', agentVersion: '1', signature, leases: [], inventoryHash: null };
    expect(Hello.safeParse(hello).success).toBe(true);
  });

  it.each([
    ['another nonce', 'other-nonce-other-nonce', 'dev_1'],
    ['another device', nonce, 'dev_2'],
  ])('fails for %s', (_label, n, d) => {
    expect(verifyHelloSignature(x, n, d, signHello(privateKey, nonce, 'dev_1'))).toBe(false);
  });

  it('fails, without throwing, for garbage keys and signatures', () => {
    expect(verifyHelloSignature('not-a-key', nonce, 'dev_1', 'AAAA')).toBe(false);
    expect(verifyHelloSignature(x, nonce, 'dev_1', 'AAAA')).toBe(false);
  });
});
