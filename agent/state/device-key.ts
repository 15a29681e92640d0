// device-key.json: the device's Ed25519 key. Private, mode 0600; the server only ever sees `x`.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './atomic-write.js';
import { SECRET_FILE_MODE } from './modes.js';
import type { StatePaths } from './paths.js';

const DeviceKeyFile = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().length(43),
  d: z.string().length(43),
});

export interface DeviceKey {
  privateKey: KeyObject;
  /** raw public key, base64url (JWK x) — what enrollment sends */
  publicKeyX: string;
}

export function generateDeviceKey(): DeviceKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('ed25519 public key has no x');
  return { privateKey, publicKeyX: x };
}

export async function saveDeviceKey(paths: StatePaths, key: DeviceKey): Promise<void> {
  const jwk = key.privateKey.export({ format: 'jwk' });
  await writeJsonAtomic(paths.deviceKey, DeviceKeyFile.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }), { mode: SECRET_FILE_MODE });
}

export async function loadDeviceKey(paths: StatePaths): Promise<DeviceKey | null> {
  const raw = await readJson(paths.deviceKey);
  if (raw === null) return null;
  const jwk = DeviceKeyFile.parse(raw);
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  // Derive x from d rather than trusting the stored x.
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { privateKey, publicKeyX: x };
}
