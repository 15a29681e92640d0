// Stores for the storage tests, with their persisters (or their database connections) wrapped so a
// test can count flushes and make writes fail on demand (a full disk, a vanished directory, a
// database that refuses the write) without touching the real files or tables.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Persister } from '../../server/store/persisters.js';
import { DocStore, type Backend } from '../../server/store/doc-store.js';
import { lowdbBackend } from '../../server/store/lowdb-store.js';
import { memoryBackend } from '../../server/store/memory-store.js';
import { testCommitOptions } from '../helpers/store-options.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';
import { PostgresStore } from '../../server/store/postgres/postgres-store.js';
import { createPool, type SqlClient, type SqlPool } from '../../server/store/postgres/sql.js';
import type { Store } from '../../server/store/store.js';
import { emptyOrgDoc, type Device, type OrgDoc } from '../../server/domain/model.js';

export interface Faults {
  /** document writes so far (whole snapshots and journal appends) */
  writes: number;
  /** audit appends so far */
  appends: number;
  failWrites: boolean;
  failAppends: boolean;
}

function diskFull(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
}

function wrap(p: Persister, f: Faults): Persister {
  const append = p.append?.bind(p);
  const journal = p.journal;
  return {
    ...(journal
      ? {
          journal: {
            async append(line: string) {
              f.writes++;
              if (f.failWrites) throw diskFull();
              return journal.append(line);
            },
            reset: () => journal.reset(),
          },
        }
      : {}),
    async write(content) {
      f.writes++;
      if (f.failWrites) throw diskFull();
      await p.write(content);
    },
    ...(append
      ? {
          async append(text: string) {
            f.appends++;
            if (f.failAppends) throw diskFull();
            return append(text);
          },
        }
      : {}),
  };
}

/** A pool whose connections count change records and fail them (or audit rows) on demand. */
function faultyPool(inner: SqlPool, f: Faults): SqlPool {
  const wrapClient = (c: SqlClient): SqlClient => ({
    async query(text: string, values?: unknown[]) {
      if (text.startsWith('INSERT INTO sk_changes')) {
        f.writes++;
        if (f.failWrites) throw diskFull();
      }
      if (text.startsWith('INSERT INTO sk_audit')) {
        f.appends++;
        if (f.failAppends) throw diskFull();
      }
      return c.query(text, values) as never;
    },
    release: (err) => c.release(err),
  });
  return {
    query: (text, values) => inner.query(text, values),
    connect: async () => wrapClient(await inner.connect()),
    end: () => inner.end(),
  };
}

export function faultyBackend(inner: Backend, f: Faults): Backend {
  return { ...inner, globalPersister: () => wrap(inner.globalPersister(), f), orgPersister: (id) => wrap(inner.orgPersister(id), f) };
}

// Stops this file's PostgreSQL cluster (if a test started one) when its tests end.
usePostgres();

export interface StoreUnderTest {
  store: Store;
  faults: Faults;
  /** the data directory (lowdb only) */
  dir?: string;
  /** a new store over the same data (lowdb and PostgreSQL), not opened yet */
  reopen?: () => Store;
  cleanup(): Promise<void>;
}

export type StoreKind = 'lowdb' | 'memory' | 'postgres';

export async function makeStore(kind: StoreKind): Promise<StoreUnderTest> {
  const faults: Faults = { writes: 0, appends: 0, failWrites: false, failAppends: false };
  if (kind === 'postgres') {
    const url = await testDatabaseUrl();
    const store = new PostgresStore(faultyPool(createPool(url, { max: 4 }), faults));
    await store.open();
    return { store, faults, reopen: () => new PostgresStore(createPool(url, { max: 2 })), cleanup: () => store.close() };
  }
  if (kind === 'memory') {
    const store = new DocStore(faultyBackend(memoryBackend(), faults), testCommitOptions);
    await store.open();
    return { store, faults, cleanup: () => store.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sk-store-'));
  const store = new DocStore(faultyBackend(lowdbBackend(dir), faults), testCommitOptions);
  await store.open();
  return {
    store,
    faults,
    dir,
    reopen: () => new DocStore(lowdbBackend(dir), testCommitOptions),
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let n = 0;

export function newOrgDoc(id = `org_t${process.pid}_${++n}`): OrgDoc {
  return emptyOrgDoc({
    id,
    name: `Org ${id}`,
    aliasDomains: [],
    salt: 'salt',
    claimedBy: null,
    claimedAt: null,
    termsAcceptedAt: null,
    settings: { leaseTtlSeconds: 3600 },
    createdAt: 1,
  });
}

/** A workstation record as enrollment writes it, for tests that put devices straight into a document. */
export function deviceRecord(id: string, over: Partial<Device> = {}): Device {
  return {
    id,
    machineIdHash: `h-${id}`,
    hostname: `ws-${id}`,
    os: { platform: 'linux', distro: 'Debian', release: '12', arch: 'x64' },
    agentVersion: '0.1.0',
    publicKey: 'x'.repeat(43),
    enrolledAt: 0,
    enrolledWith: 'tok',
    lastSeenAt: null,
    signedInAccountId: null,
    inventory: [],
    inventoryHash: null,
    revokedAt: null,
    ...over,
  };
}
