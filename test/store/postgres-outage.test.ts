// PostgreSQL stopped under a running store and started again: writes answer 503
// STORAGE_UNAVAILABLE meanwhile and change nothing, nothing acknowledged is lost, and the nodes
// recover by themselves (new connections, LISTEN again, leadership taken again), no restart.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvent } from '../../server/domain/audit.js';
import { randomId } from '../../server/core/ids.js';
import { createPostgresStore } from '../../server/store/postgres/postgres-store.js';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/sql.js';
import { startCluster, type TestCluster } from '../helpers/postgres.js';
import pg from 'pg';
import { newOrgDoc } from './store-fixtures.js';

// Its own cluster, since the test stops it.
let cluster: TestCluster;
let url: string;
beforeAll(async () => {
  cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE sk_outage');
  await admin.end();
  url = cluster.url('sk_outage');
  const pool = createPool(url, { max: 1 });
  await migrate(pool);
  await pool.end();
});
afterAll(() => cluster?.stop());

describe('PostgreSQL stopped and started again', () => {
  it('answers 503 while it is down, loses nothing acknowledged, and recovers without a restart', async () => {
    const a = createPostgresStore(url, { max: 4, connectionTimeoutMillis: 2000 }, { pollMs: 50 });
    const b = createPostgresStore(url, { max: 4, connectionTimeoutMillis: 2000 }, { pollMs: 50 });
    await a.open();
    await b.open();
    try {
      const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
      await a.tx((c) => {
        c.org(orgId)!.org.name = 'before';
        c.audit(auditEvent(randomId, 1, orgId, 'acc_x', 'org.rename', orgId));
      });
      expect([a, b].filter((s) => s.isLeader())).toHaveLength(1);

      await cluster.pause!();
      const during = a.tx((c) => {
        c.org(orgId)!.org.name = 'during';
        c.audit(auditEvent(randomId, 2, orgId, 'acc_x', 'org.rename', orgId));
      });
      await expect(during).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503 });
      expect(a.org(orgId)!.org.name).toBe('before');
      await expect(a.queryAudit(orgId, {})).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await cluster.resume!();

      // The same store objects, no reopen: writes work again, and the other node follows.
      await vi.waitFor(() => a.tx((c) => void (c.org(orgId)!.org.name = 'after')), { timeout: 20_000, interval: 100 });
      expect((await a.queryAudit(orgId, {})).map((e) => e.at)).toEqual([1]);
      await vi.waitFor(() => expect(b.org(orgId)!.org.name).toBe('after'), { timeout: 20_000, interval: 20 });
      // Both leader connections were cut: one node leads again.
      await vi.waitFor(() => expect([a, b].filter((s) => s.isLeader())).toHaveLength(1), { timeout: 20_000, interval: 20 });
      const fresh = createPostgresStore(url, { max: 1 }, { pollMs: 0, listen: false });
      await fresh.open();
      expect(fresh.org(orgId)!.org.name).toBe('after');
      await fresh.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
