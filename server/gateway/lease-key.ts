// The server's Ed25519 lease-signing keys. One key signs; keys rotated out stay valid for an
// overlap, then retire. Embedded store: DATA/lease-keys.json (mode 0600), first made from
// DATA/lease-key.json, the single key of earlier versions. PostgreSQL: one set for the whole
// cluster, kept in the database (sk_secrets), first made from the cluster's single key. Losing the
// set would invalidate every lease agents hold, so a damaged one stops the server instead of being
// replaced; `seatkeeper-server rotate-lease-key` is the only way a key changes.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ed25519PrivateJwk, Ed25519PublicJwk } from '../../shared/lease.js';
import { leaseKeySetSigningInput, type PublishedLeaseKey } from '../../shared/lease-key-id.js';
import type { LeaseKeys } from '../../shared/protocol/lease-keys.js';
import type { Outgoing } from '../../shared/protocol/messages.js';
import { writeFileDurable } from '../store/durable-file.js';
import type { Store } from '../store/store.js';
import { registerLeaseKeyId } from './lease-signer.js';
import { KeyRingError, newPrivateJwk, parseRing, published, ringOf, rotateRing, serializeRing, signingKeyOf, type KeyRing } from './lease-key-ring.js';

export const LEASE_KEY_FILE = 'lease-key.json';
export const LEASE_KEYS_FILE = 'lease-keys.json';
/** The name of the cluster's single lease key among the store's shared secrets (before key sets). */
export const LEASE_KEY_SECRET = 'lease-key';
/** The name of the cluster's lease key set among the store's shared secrets. */
export const LEASE_KEYS_SECRET = 'lease-keys';
/** What nodes are told (store.signal) when the set changed, so they read it again at once. */
export const LEASE_KEYS_TOPIC = 'lease-keys';

/** Where the set is kept: read it, or change it under a lock (the database row, the data directory). */
export interface LeaseKeyStorage {
  load(): Promise<KeyRing>;
  update(fn: (ring: KeyRing) => KeyRing): Promise<KeyRing>;
}

type SecretStore = Pick<Store, 'clusterSecret' | 'updateClusterSecret'>;

/** The set where this server keeps it: the database's when the store has shared secrets, else the data directory's. */
export function leaseKeyStorage(dataDir: string, store?: SecretStore): LeaseKeyStorage {
  return store?.clusterSecret && store.updateClusterSecret ? databaseStorage(dataDir, store as Required<SecretStore>) : fileStorage(dataDir);
}

function fileStorage(dataDir: string): LeaseKeyStorage {
  const path = join(dataDir, LEASE_KEYS_FILE);
  const write = async (ring: KeyRing) => {
    await writeFileDurable(path, serializeRing(ring));
    await chmod(path, 0o600);
  };
  const load = async (): Promise<KeyRing> => {
    const text = await readIfPresent(path);
    if (text !== undefined) {
      await chmod(path, 0o600);
      return parseRing(text, path);
    }
    const ring = ringOf((await loadOrCreateFileKey(dataDir, true))!);
    await write(ring);
    return ring;
  };
  // One server holds the data directory (its lock), and the commands that rotate offline take it.
  return { load, update: async (fn) => { const ring = fn(await load()); await write(ring); return ring; } };
}

function databaseStorage(dataDir: string, store: Required<SecretStore>): LeaseKeyStorage {
  const seed = async (): Promise<string> => {
    // Several nodes: the cluster's first key is the single key earlier versions kept (agents
    // enrolled before key sets pinned it), which the first node took from its data directory.
    const fromFile = await loadOrCreateFileKey(dataDir, false);
    const text = await store.clusterSecret(LEASE_KEY_SECRET, () => JSON.stringify(fromFile ?? newPrivateJwk()));
    const parsed = Ed25519PrivateJwk.safeParse(JSON.parse(text));
    if (!parsed.success) throw new KeyRingError(`the database's ${LEASE_KEY_SECRET} is not an Ed25519 private key; restore it from a backup (agents pinned its public half)`);
    return serializeRing(ringOf(parsed.data));
  };
  const where = `the database's ${LEASE_KEYS_SECRET}`;
  return {
    async load() {
      const seeded = await seed();
      return parseRing(await store.clusterSecret(LEASE_KEYS_SECRET, () => seeded), where);
    },
    async update(fn) {
      const seeded = await seed();
      return parseRing(await store.updateClusterSecret(LEASE_KEYS_SECRET, (current) => serializeRing(fn(parseRing(current ?? seeded, where)))), where);
    },
  };
}

interface LoadedKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
}

function loadKey(jwk: Ed25519PrivateJwk, kid: string): LoadedKey {
  const privateKey = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  // The public half is derived from d, so a file whose x was edited cannot mislead agents.
  const x = publicKey.export({ format: 'jwk' }).x as string;
  if (x !== jwk.x) throw new KeyRingError(`lease key ${kid}: its public half does not match its private half; restore the key set from a backup`);
  registerLeaseKeyId(privateKey, kid);
  return { kid, privateKey, publicKey, publicJwk: Ed25519PublicJwk.parse({ kty: 'OKP', crv: 'Ed25519', x }) };
}

/**
 * The keys a running server signs and publishes with. `privateKey` and `publicJwk` are the signing
 * key's at the moment they are read: after a rotation is read in they answer with the new one.
 */
export class ServerLeaseKey {
  readonly #storage: LeaseKeyStorage | undefined;
  #ring: KeyRing;
  #keys = new Map<string, LoadedKey>();
  #signing!: LoadedKey;
  #frame: { text: string; frame: Outgoing<LeaseKeys> } | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(ring: KeyRing, storage?: LeaseKeyStorage) {
    this.#storage = storage;
    this.#ring = ring;
    this.#use(ring);
  }

  get privateKey(): KeyObject {
    return this.#signing.privateKey;
  }

  get publicKey(): KeyObject {
    return this.#signing.publicKey;
  }

  /** what agents pin at enrollment: the signing key */
  get publicJwk(): Ed25519PublicJwk {
    return this.#signing.publicJwk;
  }

  get kid(): string {
    return this.#signing.kid;
  }

  get ring(): KeyRing {
    return this.#ring;
  }

  /** The keys agents should accept at `now`. */
  published(now: number): PublishedLeaseKey[] {
    return published(this.#ring, now);
  }

  /**
   * The lease.keys frame for `now`, signed by every key kept (retired ones too: an agent that
   * still trusts one takes the set that retires it); made again only when the set changed.
   */
  frame(now: number): Outgoing<LeaseKeys> {
    const keys = this.published(now);
    const text = leaseKeySetSigningInput(keys);
    if (this.#frame?.text === text) return this.#frame.frame;
    const signatures = [...this.#keys.values()].map((k) => ({ kid: k.kid, sig: sign(null, Buffer.from(text, 'utf8'), k.privateKey).toString('base64url') }));
    const frame: Outgoing<LeaseKeys> = { type: 'lease.keys', keys, signatures };
    this.#frame = { text, frame };
    return frame;
  }

  /** Called after the signing key or the published set changed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the set again (another node or the operator rotated it); true when it changed. */
  async reload(): Promise<boolean> {
    if (!this.#storage) return false;
    const ring = await this.#storage.load();
    if (serializeRing(ring) === serializeRing(this.#ring)) return false;
    this.#use(ring);
    this.changed();
    return true;
  }

  /** Rotates: a new signing key; the others stay valid for `overlapMs`. */
  async rotate(now: number, overlapMs: number): Promise<KeyRing> {
    if (!this.#storage) throw new KeyRingError('this server keeps its lease keys nowhere it can rotate them');
    const ring = await this.#storage.update((r) => rotateRing(r, newPrivateJwk(), now, overlapMs));
    this.#use(ring);
    this.changed();
    return ring;
  }

  /** Tells the listeners (the published set may have changed with time: a key retired). */
  changed(): void {
    for (const l of this.#listeners) l();
  }

  #use(ring: KeyRing): void {
    const keys = new Map<string, LoadedKey>();
    for (const k of ring.keys) keys.set(k.kid, this.#keys.get(k.kid) ?? loadKey(k.jwk, k.kid));
    this.#ring = ring;
    this.#keys = keys;
    this.#signing = keys.get(signingKeyOf(ring).kid)!;
  }
}

/** Loads (or, the first time, makes) the server's lease keys. */
export async function loadOrCreateLeaseKey(dataDir: string, store?: SecretStore): Promise<ServerLeaseKey> {
  const storage = leaseKeyStorage(dataDir, store);
  return new ServerLeaseKey(await storage.load(), storage);
}

/** DATA/lease-key.json: read, or (when `create`) made; undefined when absent and not made. */
async function loadOrCreateFileKey(dataDir: string, create: boolean): Promise<Ed25519PrivateJwk | undefined> {
  const path = join(dataDir, LEASE_KEY_FILE);
  const text = await readIfPresent(path);
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

/** A file's text, or undefined when it does not exist (any other error is thrown). */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
