// The PostgreSQL store beyond the conformance suite: several nodes on one database, the schema
// check at start, migrations, the SQL views, and a document's rows read back exactly.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditEvent } from '../../server/domain/audit.js';
import { randomId } from '../../server/core/ids.js';
import { PostgresStore, createPostgresStore } from '../../server/store/postgres/postgres-store.js';
import { SCHEMA_VERSION, SchemaMismatchError, migrate, migrations, schemaVersion } from '../../server/store/postgres/migrations.js';
import { createPool, type SqlPool } from '../../server/store/postgres/sql.js';
import { postgresDeviceCodes } from '../../server/store/postgres/device-codes.js';
import { SeatkeeperError } from '../../shared/errors.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';
import { deviceRecord, newOrgDoc } from './store-fixtures.js';

usePostgres();

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});

async function node(url: string, options: { pollMs?: number; listen?: boolean; keepChanges?: number } = {}): Promise<PostgresStore> {
  const s = createPostgresStore(url, { max: 4 }, options);
  open.push(s);
  await s.open();
  return s;
}

async function pool(url: string): Promise<SqlPool> {
  const p = createPool(url, { max: 2 });
  open.push({ close: () => p.end() });
  return p;
}

describe('sign-in codes on PostgreSQL', () => {
  it('keep the pending cap per organization across nodes: 30 codes asked at once on three nodes with room for 5 give exactly 5', async () => {
    const url = await testDatabaseUrl();
    // Three nodes with room for many statements at once, as busy nodes have.
    const wide = async () => {
      const p = createPool(url, { max: 10 });
      open.push({ close: () => p.end() });
      // Connected before the race: ten statements in flight on each node at the same moment.
      await Promise.all(Array.from({ length: 10 }, () => p.query('SELECT pg_sleep(0.05)')));
      return postgresDeviceCodes(p);
    };
    const nodes = [await wide(), await wide(), await wide()];
    const now = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        nodes[i % 3]!.issue({ hash: `h${i}`, orgId: 'org_cap', deviceId: `dev_${i}`, nodeId: `node${i % 3}`, connId: `con${i}`, expiresAt: now + 600_000 }, 5, now),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(new Set(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as SeatkeeperError).code))).toEqual(new Set(['RATE_LIMITED']));
    const rows = await (await pool(url)).query<{ n: string }>("SELECT count(*) AS n FROM sk_device_codes WHERE org_id = 'org_cap'");
    expect(Number(rows.rows[0]!.n)).toBe(5);
    // Another organization has its own room.
    await nodes[0]!.issue({ hash: 'other', orgId: 'org_other', deviceId: 'dev_other', nodeId: 'node0', connId: 'c', expiresAt: now + 600_000 }, 5, now);
  });
});

describe('PostgreSQL store', () => {
  it('keeps a limit across nodes: 30 concurrent adds over three nodes to a 5-place list give exactly 5', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url);
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    const nodes = [a, await node(url), await node(url)];
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        nodes[i % 3]!.tx((c) => {
          const doc = c.org(orgId)!;
          if (Object.keys(doc.members).length >= 5) throw new Error('full');
          doc.members[`acc_${i}`] = { accountId: `acc_${i}`, role: 'member', joinedAt: i };
          c.audit(auditEvent(randomId, i, orgId, 'acc_x', 'member.add', `acc_${i}`));
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message)).toEqual(Array(25).fill('full'));
    const fresh = await node(url);
    expect(Object.keys(fresh.org(orgId)!.members)).toHaveLength(5);
    expect(await fresh.queryAudit(orgId, {})).toHaveLength(5);
  });

  it('has a node that lost a race read what the winner wrote, then apply its own change on top', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url);
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    const b = await node(url);
    await a.tx((c) => void (c.org(orgId)!.devices.dev_a = deviceRecord('dev_a')));
    // b has not seen dev_a: its commit conflicts, it catches up, and plans again.
    const seen = await b.tx((c) => {
      c.org(orgId)!.devices.dev_b = deviceRecord('dev_b');
      return Object.keys(c.org(orgId)!.devices).sort();
    });
    expect(seen).toEqual(['dev_a', 'dev_b']);
    expect(Object.keys(b.org(orgId)!.devices).sort()).toEqual(['dev_a', 'dev_b']);
    expect(Object.keys((await node(url)).org(orgId)!.devices).sort()).toEqual(['dev_a', 'dev_b']);
  });

  it('brings a node that only reads up to date with commits made on another, woken by NOTIFY', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url, { pollMs: 0 });
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    // No polling on b: only the notification can wake it.
    const b = await node(url, { pollMs: 0 });
    const heard: string[][] = [];
    b.onRemoteChange((ids) => heard.push(ids));
    const feedBefore = b.changeFeed(orgId)!.revision('devices');
    await a.tx((c) => void (c.org(orgId)!.devices.dev_a = deviceRecord('dev_a')));
    await vi.waitFor(() => expect(b.org(orgId)!.devices.dev_a?.id).toBe('dev_a'), { timeout: 20_000, interval: 20 });
    expect(heard.flat()).toContain(orgId);
    // the gateway's index learns which record changed instead of rebuilding
    expect(b.changeFeed(orgId)!.since('devices', feedBefore)).toEqual(['dev_a']);
    const created = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    await vi.waitFor(() => expect(b.orgIds()).toContain(created), { timeout: 20_000, interval: 20 });
  });

  it('catches up by polling when no notification arrives', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url, { pollMs: 0, listen: false });
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    const b = await node(url, { pollMs: 50, listen: false });
    await a.tx((c) => void (c.org(orgId)!.org.name = 'renamed on a'));
    await vi.waitFor(() => expect(b.org(orgId)!.org.name).toBe('renamed on a'), { timeout: 20_000, interval: 20 });
  });

  it('has exactly one leader among the nodes, and another takes over when the leader goes', async () => {
    const url = await testDatabaseUrl();
    const nodes = [await node(url, { pollMs: 50 }), await node(url, { pollMs: 50 }), await node(url, { pollMs: 50 })];
    expect(nodes.filter((n) => n.isLeader())).toHaveLength(1);
    const leader = nodes.find((n) => n.isLeader())!;
    await leader.close();
    const rest = nodes.filter((n) => n !== leader);
    await vi.waitFor(() => expect(rest.filter((n) => n.isLeader())).toHaveLength(1), { timeout: 20_000, interval: 20 });
  });

  it('loads a document whole when the records a node missed were pruned, and plans on it', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url, { pollMs: 0, listen: false, keepChanges: 10 });
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    const b = await node(url, { pollMs: 0, listen: false });
    for (let i = 0; i < 40; i++) await a.tx((c) => void (c.org(orgId)!.devices[`dev_${i}`] = deviceRecord(`dev_${i}`)));
    const p = await pool(url);
    expect(Number((await p.query<{ n: string }>('SELECT min(seq) AS n FROM sk_changes WHERE doc_id = $1', [orgId])).rows[0]!.n)).toBeGreaterThan(2);
    // b is 40 commits behind, past what is kept: its write conflicts, it reloads, it plans again.
    const count = await b.tx((c) => {
      c.org(orgId)!.org.name = 'from b';
      return Object.keys(c.org(orgId)!.devices).length;
    });
    expect(count).toBe(40);
    expect(b.org(orgId)).toEqual(JSON.parse(JSON.stringify((await node(url)).org(orgId))));
  });

  it('reads a document back exactly: records, deletions, whole values, nested arrays', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url);
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    await a.tx((c) => {
      const d = c.org(orgId)!;
      for (let i = 0; i < 20; i++) d.devices[`dev_${i}`] = deviceRecord(`dev_${i}`, { inventory: [{ productCode: 'P', version: null, path: '/x\u0000y', serial: null }] });
      d.usage.push({ at: 1, inUse: { P: 2 }, devicesOnline: 3 });
      d.org.settings = { leaseTtlSeconds: 60 };
      c.global().serials.SN1 = orgId;
    });
    await a.tx((c) => {
      const d = c.org(orgId)!;
      delete d.devices.dev_3;
      d.devices.dev_4!.lastSeenAt = 99;
      d.mismatches = [{ id: 'm1', at: 1, attempted: 'a@b', suggestion: 'a@c', context: 'sign-in' }];
      d.leases = {};
    });
    const b = await node(url);
    expect(b.org(orgId)).toEqual(JSON.parse(JSON.stringify(a.org(orgId))));
    expect(b.global()).toEqual(JSON.parse(JSON.stringify(a.global())));
    expect(b.org(orgId)!.devices.dev_0!.inventory[0]!.path).toBe('/x\u0000y');
  });

  it('refuses to open on a database without the schema, saying what to run', async () => {
    const url = await testDatabaseUrl({ migrated: false });
    const s = createPostgresStore(url);
    open.push(s);
    const err = await s.open().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect((err as Error).message).toContain('seatkeeper-server migrate --database');
  });

  it('refuses to open on a schema newer than it knows, saying to upgrade', async () => {
    const url = await testDatabaseUrl();
    const p = await pool(url);
    await p.query(`INSERT INTO sk_migrations (version, name) VALUES (${SCHEMA_VERSION + 1}, 'from the future')`);
    const s = createPostgresStore(url);
    open.push(s);
    await expect(s.open()).rejects.toThrow(/newer than this server knows.*Upgrade/s);
  });

  it('migrates once when several nodes migrate at the same time, each version in its own transaction', async () => {
    const url = await testDatabaseUrl({ migrated: false });
    const pools = [await pool(url), await pool(url), await pool(url)];
    const runs = await Promise.all(pools.map((p) => migrate(p)));
    expect(runs.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.version));
    expect(await schemaVersion(pools[0]!)).toBe(SCHEMA_VERSION);
    expect((await migrate(pools[0]!)).applied).toEqual([]);
  });

  it('leaves the schema where it was when a migration fails', async () => {
    const url = await testDatabaseUrl({ migrated: false });
    const p = await pool(url);
    const broken = [migrations[0]!, { version: 2, name: 'broken', sql: 'CREATE TABLE sk_half (x int); SELECT no_such_function()' }];
    await expect(migrate(p, broken)).rejects.toThrow(/no_such_function/);
    expect(await schemaVersion(p)).toBe(1);
    expect((await p.query(`SELECT to_regclass('sk_half') AS t`)).rows[0]).toEqual({ t: null });
  });

  it('offers seats, assignments, devices and audit as SQL views', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url);
    const doc = newOrgDoc();
    doc.contracts.ctr_1 = { id: 'ctr_1', number: 'C-1', serials: [], startsAt: 0, endsAt: 86_400_000, lines: [{ id: 'lin_1', productCode: 'SW', seats: 5, method: 'named-user' }] };
    const orgId = doc.org.id;
    await a.tx((c) => {
      c.createOrg(doc);
      c.global().accounts.acc_1 = { id: 'acc_1', email: 'ann@example.test', aliases: [], name: 'Ann', passwordHash: null, status: 'active', createdAt: 1 };
    });
    await a.tx((c) => {
      c.org(orgId)!.assignments.asg_1 = { id: 'asg_1', lineId: 'lin_1', accountId: 'acc_1', assignedBy: 'acc_1', assignedAt: 1_000 };
      c.org(orgId)!.devices.dev_1 = deviceRecord('dev_1', { hostname: 'ws-ann' });
      c.audit(auditEvent(randomId, 2_000, orgId, 'acc_1', 'assignment.create', 'asg_1'));
    });
    const p = await pool(url);
    const q = async (sql: string) => (await p.query(sql, [orgId])).rows;
    expect(await q('SELECT product_code, seats, assigned FROM seats WHERE org_id = $1')).toEqual([{ product_code: 'SW', seats: 5, assigned: 1 }]);
    expect(await q('SELECT id, email, assigned_at FROM assignments WHERE org_id = $1')).toEqual([{ id: 'asg_1', email: 'ann@example.test', assigned_at: new Date(1_000) }]);
    expect(await q('SELECT id, hostname, platform FROM devices WHERE org_id = $1')).toEqual([{ id: 'dev_1', hostname: 'ws-ann', platform: 'linux' }]);
    expect(await q('SELECT action, target, at FROM audit WHERE org_id = $1')).toEqual([{ action: 'assignment.create', target: 'asg_1', at: new Date(2_000) }]);
  });
});
