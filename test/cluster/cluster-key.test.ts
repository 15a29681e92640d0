// The cluster's shared parts on a real PostgreSQL: one lease-signing key for every node (the first
// node to start stores it; nodes starting together agree; a data directory's key is carried over),
// and the change records another node wrote, told record by record, also to a node that learnt of
// them by losing a race.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LEASE_KEY_FILE, loadOrCreateLeaseKey } from '../../server/gateway/lease-key.js';
import { createPostgresStore, type PostgresStore } from '../../server/store/postgres/postgres-store.js';
import type { RemoteRecords } from '../../server/store/store.js';
import { createLowdbStore } from '../../server/store/lowdb-store.js';
import { importDataDir } from '../../server/store/postgres/import-data.js';
import { createPool } from '../../server/store/postgres/sql.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';
import { deviceRecord, newOrgDoc } from '../store/store-fixtures.js';

usePostgres();

const open: PostgresStore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function node(url: string, options: { pollMs?: number; listen?: boolean } = {}): Promise<PostgresStore> {
  const s = createPostgresStore(url, { max: 4 }, options);
  open.push(s);
  await s.open();
  return s;
}

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sk-cluster-key-'));
  dirs.push(d);
  return d;
}

describe('the cluster lease key', () => {
  it('is one key for every node, agreed on by nodes that start at the same time', async () => {
    const url = await testDatabaseUrl();
    const nodes = await Promise.all([node(url), node(url), node(url)]);
    const keys = await Promise.all(nodes.map(async (n) => loadOrCreateLeaseKey(await dataDir(), n)));
    expect(new Set(keys.map((k) => k.publicJwk.x)).size).toBe(1);
    // A node started later reads the same key.
    const later = await loadOrCreateLeaseKey(await dataDir(), await node(url));
    expect(later.publicJwk.x).toBe(keys[0]!.publicJwk.x);
  });

  it("carries over the key of the data directory the first node comes from (agents pinned it)", async () => {
    const url = await testDatabaseUrl();
    const dir = await dataDir();
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    await writeFile(join(dir, LEASE_KEY_FILE), JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }));
    const first = await loadOrCreateLeaseKey(dir, await node(url));
    expect(first.publicJwk.x).toBe(jwk.x);
    // Another node with a key of its own in its directory still signs with the cluster's.
    const otherDir = await dataDir();
    await loadOrCreateLeaseKey(otherDir);
    const second = await loadOrCreateLeaseKey(otherDir, await node(url));
    expect(second.publicJwk.x).toBe(jwk.x);
  });
});

describe('import --from-data', () => {
  it("brings the data directory's lease key, so agents enrolled before the move keep verifying", async () => {
    const url = await testDatabaseUrl();
    // A node that opened the empty database before the import made a key of its own.
    const early = await loadOrCreateLeaseKey(await dataDir(), await node(url));
    const dir = await dataDir();
    const store = createLowdbStore(dir);
    await store.open();
    await store.tx((t) => void t.createOrg(newOrgDoc()));
    await store.close();
    const pinned = await loadOrCreateLeaseKey(dir);
    expect(pinned.publicJwk.x).not.toBe(early.publicJwk.x);
    const pool = createPool(url, { max: 2 });
    try {
      await importDataDir(dir, pool);
    } finally {
      await pool.end();
    }
    const after = await loadOrCreateLeaseKey(await dataDir(), await node(url));
    expect(after.publicJwk.x).toBe(pinned.publicJwk.x);
  });
});

describe("another node's records", () => {
  it('are told record by record, whether read in on a poll or after losing a race', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url, { pollMs: 0, listen: false });
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    // No notification, no poll: b learns of a's commit only when its own commit loses the race.
    const b = await node(url, { pollMs: 0, listen: false });
    const heard: Array<[string, RemoteRecords]> = [];
    b.onRemoteChange((_ids, records) => heard.push(...records));
    await a.tx((c) => void (c.org(orgId)!.devices.dev_a = deviceRecord('dev_a')));
    await b.tx((c) => void (c.org(orgId)!.devices.dev_b = deviceRecord('dev_b')));
    expect(heard).toEqual([[orgId, [{ k: 'devices', i: 'dev_a' }]]]);
    // And by a poll: a reads b's commit in.
    const c = await node(url, { pollMs: 50, listen: false });
    const heardByC: Array<[string, RemoteRecords]> = [];
    c.onRemoteChange((_ids, records) => heardByC.push(...records));
    await a.tx((t) => void delete t.org(orgId)!.devices.dev_a);
    await vi.waitFor(() => expect(heardByC).toEqual([[orgId, [{ k: 'devices', i: 'dev_a' }]]]), { timeout: 20_000, interval: 20 });
  });
});
