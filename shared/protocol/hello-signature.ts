// Signing and checking the `hello` proof with node:crypto Ed25519. Kept apart from hello.ts so
// the schemas stay free of node built-ins.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { helloSigningInput } from './hello.js';

/** base64url Ed25519 signature of helloSigningInput(nonce, deviceId). */
export function signHello(devicePrivateKey: KeyObject, nonce: string, deviceId: string): string {
  return sign(null, Buffer.from(helloSigningInput(nonce, deviceId), 'utf8'), devicePrivateKey).toString('base64url');
}

/** Checks a hello signature against the device's enrolled public key (raw x, base64url). Never throws. */
export function verifyHelloSignature(publicKeyX: string | KeyObject, nonce: string, deviceId: string, signature: string): boolean {
  try {
    const key = typeof publicKeyX === 'string' ? devicePublicKey(publicKeyX) : publicKeyX;
    const sig = Buffer.from(signature, 'base64url');
    if (sig.length !== 64) return false;
    return verify(null, Buffer.from(helloSigningInput(nonce, deviceId), 'utf8'), key, sig);
  } catch {
    return false;
  }
}

/** The key object of an enrolled public key (raw x, base64url); throws on a malformed one. */
export function devicePublicKey(publicKeyX: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyX }, format: 'jwk' });
}
