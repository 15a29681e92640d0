// The server's Ed25519 lease-signing key: DATA/lease-key.json (mode 0600), created on first start
// and loaded after; on PostgreSQL, one key for the whole cluster, kept in the database. Losing it
// would invalidate every lease agents hold, so it is never rotated silently.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ed25519PrivateJwk, Ed25519PublicJwk } from '../../shared/lease.js';
import { writeFileDurable } from '../store/durable-file.js';
import type { Store } from '../store/store.js';

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

export async function loadOrCreateLeaseKey(dataDir: string, store?: Pick<Store, 'clusterSecret'>): Promise<ServerLeaseKey> {
  const fromFile = await loadOrCreateFileKey(dataDir, !store?.clusterSecret);
  if (!store?.clusterSecret) return fromPrivateJwk(fromFile!);
  // Several nodes: one key for the cluster, kept in the database, so a lease any node signs
  // verifies on every agent. The first node to start stores its data directory's key (agents that
  // enrolled before the move to PostgreSQL pinned that one), or a new one.
  const text = await store.clusterSecret(LEASE_KEY_SECRET, () => JSON.stringify(fromFile ?? newPrivateJwk()));
  const parsed = Ed25519PrivateJwk.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`the database's ${LEASE_KEY_SECRET} is not an Ed25519 private key; restore it from a backup (agents pinned its public half)`);
  return fromPrivateJwk(parsed.data);
}

/** The name of the cluster's lease key among the store's shared secrets. */
export const LEASE_KEY_SECRET = 'lease-key';

function newPrivateJwk(): Ed25519PrivateJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return Ed25519PrivateJwk.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d });
}

/** DATA/lease-key.json: read, or (when `create`) made; undefined when absent and not made. */
async function loadOrCreateFileKey(dataDir: string, create: boolean): Promise<Ed25519PrivateJwk | undefined> {
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
    return parsed.data;
  }
  if (!create) return undefined;
  const stored = newPrivateJwk();
  await writeFileDurable(path, `${JSON.stringify(stored)}\n`);
  await chmod(path, 0o600);
  return stored;
}
