// The server's Ed25519 lease-signing key: DATA/lease-key.json (mode 0600), created on first start
// and loaded after. Losing it would invalidate every lease agents hold, so it is never rotated silently.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ed25519PrivateJwk, Ed25519PublicJwk } from '../../shared/lease.js';
import { writeFileDurable } from '../store/durable-file.js';

export const LEASE_KEY_FILE = 'lease-key.json';

export interface ServerLeaseKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** what agents pin at enrollment */
  publicJwk: Ed25519PublicJwk;
}

function fromPrivateJwk(jwk: Ed25519PrivateJwk): ServerLeaseKey {
  const privateKey = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  // The public half is derived from d, so a file whose x was edited cannot mislead agents.
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey, publicKey, publicJwk: Ed25519PublicJwk.parse({ kty: 'OKP', crv: 'Ed25519', x }) };
}

export async function loadOrCreateLeaseKey(dataDir: string): Promise<ServerLeaseKey> {
  const path = join(dataDir, LEASE_KEY_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== undefined) {
    const parsed = Ed25519PrivateJwk.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${path} is not an Ed25519 private key; restore it from a backup (agents pinned its public half)`);
    await chmod(path, 0o600);
    return fromPrivateJwk(parsed.data);
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const stored = Ed25519PrivateJwk.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d });
  await writeFileDurable(path, `${JSON.stringify(stored)}\n`);
  await chmod(path, 0o600);
  return fromPrivateJwk(stored);
}
