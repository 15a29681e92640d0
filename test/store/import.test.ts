// `import --from-data`: a lowdb data directory copied into an empty PostgreSQL database reads back
// identical (every organization, the global document, every audit event in order), and an import
// into a database that holds data is refused without touching it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvent } from '../../server/domain/audit.js';
import { randomId } from '../../server/core/ids.js';
import { createLowdbStore } from '../../server/store/lowdb-store.js';
import { ImportTargetNotEmptyError, importDataDir } from '../../server/store/postgres/import-data.js';
import { createPostgresStore } from '../../server/store/postgres/postgres-store.js';
import { createPool, type SqlPool } from '../../server/store/postgres/sql.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';
import { testCommitOptions } from '../helpers/store-options.js';
import { deviceRecord, newOrgDoc } from './store-fixtures.js';

usePostgres();

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function dataDir(orgs: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-import-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const store = createLowdbStore(dir, testCommitOptions);
  await store.open();
  for (let o = 0; o < orgs; o++) {
    const orgId = (await store.tx((t) => t.createOrg(newOrgDoc()))).org.id;
    await store.tx((t) => {
      t.global().orgs[orgId] = { id: orgId, name: `Org ${o}` };
      t.global().serials[`SN-${orgId}`] = orgId;
      for (let d = 0; d < 30; d++) t.org(orgId)!.devices[`dev_${d}`] = deviceRecord(`dev_${d}`);
      t.org(orgId)!.usage.push({ at: 1, inUse: { P: 1 }, devicesOnline: 2 });
      for (let a = 0; a < 5; a++) t.audit(auditEvent(randomId, 1000 + a, orgId, 'acc_x', 'device.enroll', `dev_${a}`));
    });
    // some changes only in the journal, not yet in a snapshot
    await store.tx((t) => {
      delete t.org(orgId)!.devices.dev_0;
      t.org(orgId)!.devices.dev_1!.lastSeenAt = 42;
      t.audit(auditEvent(randomId, 2000, orgId, 'acc_x', 'device.revoke', 'dev_0'));
    });
  }
  await store.close();
  return dir;
}

async function pool(url: string): Promise<SqlPool> {
  const p = createPool(url, { max: 2 });
  cleanup.push(() => p.end());
  return p;
}

describe('import --from-data', () => {
  it('copies every organization, the global document and the audit log, and they read back the same', async () => {
    const dir = await dataDir(3);
    const url = await testDatabaseUrl();
    expect(await importDataDir(dir, await pool(url))).toEqual({ organizations: 3, auditEvents: 18 });

    const lowdb = createLowdbStore(dir, testCommitOptions);
    await lowdb.open();
    cleanup.push(() => lowdb.close());
    const pg = createPostgresStore(url);
    await pg.open();
    cleanup.push(() => pg.close());
    const plain = <T>(v: T) => {
      const { walSeq: _a, walBatch: _b, ...rest } = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
      return rest;
    };
    expect(plain(pg.global())).toEqual(plain(lowdb.global()));
    expect(pg.orgIds().sort()).toEqual(lowdb.orgIds().sort());
    for (const id of lowdb.orgIds()) {
      expect(plain(pg.org(id))).toEqual(plain(lowdb.org(id)));
      expect(await pg.queryAudit(id, {})).toEqual(await lowdb.queryAudit(id, {}));
    }
  });

  it('refuses a database that already holds data, and leaves it as it was', async () => {
    const url = await testDatabaseUrl();
    const first = createPostgresStore(url);
    await first.open();
    const orgId = (await first.tx((t) => t.createOrg(newOrgDoc()))).org.id;
    await first.close();
    const err = await importDataDir(await dataDir(1), await pool(url)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ImportTargetNotEmptyError);
    const after = createPostgresStore(url);
    await after.open();
    cleanup.push(() => after.close());
    expect(after.orgIds()).toEqual([orgId]);
  });
});
