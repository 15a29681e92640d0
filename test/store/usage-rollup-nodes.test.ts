// The daily usage fold on two PostgreSQL nodes at once (a leader handing over mid-minute, or two
// believing they lead): each finished day is folded exactly once, and both nodes read the same rows.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rollUpUsage } from '../../server/domain/reports.js';
import { createPostgresStore, type PostgresStore } from '../../server/store/postgres/postgres-store.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';
import { newOrgDoc } from './store-fixtures.js';

usePostgres();

const open: PostgresStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});

async function node(url: string): Promise<PostgresStore> {
  const s = createPostgresStore(url, { max: 4 });
  open.push(s);
  await s.open();
  return s;
}

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

describe('usage rollup on two nodes', () => {
  it('folds each finished day once when both nodes run the job at the same time', async () => {
    const url = await testDatabaseUrl();
    const a = await node(url);
    const orgId = (await a.tx((c) => c.createOrg(newOrgDoc()))).org.id;
    await a.tx((c) => {
      const doc = c.org(orgId)!;
      doc.contracts.c1 = { id: 'c1', number: 'C-1', serials: [], startsAt: 0, endsAt: day('2030-01-01'), lines: [{ id: 'l1', productCode: 'CAD', seats: 5, method: 'named-user' }] } as never;
      for (let m = 0; m < 60; m++) doc.usage.push({ at: day('2026-04-01') + m * 60_000, inUse: { CAD: m % 5 }, devicesOnline: m % 5 });
      for (let m = 0; m < 30; m++) doc.usage.push({ at: day('2026-04-02') + m * 60_000, inUse: { CAD: 1 }, devicesOnline: 1 });
    });
    const b = await node(url);
    await vi.waitFor(() => expect(b.org(orgId)?.usage).toHaveLength(90), { timeout: 10_000, interval: 20 });

    const now = day('2026-04-03') + 1000;
    const results = await Promise.all([a, b, a, b].map((n) => n.tx((c) => rollUpUsage(c.org(orgId)!, now))));
    // Every day folded by exactly one of the four runs.
    expect(results.flat().sort()).toEqual(['2026-04-01', '2026-04-02']);
    const rows = { '2026-04-01/CAD': { day: '2026-04-01', productCode: 'CAD', peak: 4, sum: 120, samples: 60, owned: 5 }, '2026-04-02/CAD': { day: '2026-04-02', productCode: 'CAD', peak: 1, sum: 30, samples: 30, owned: 5 } };
    await vi.waitFor(() => {
      expect(a.org(orgId)!.usageDays).toEqual(rows);
      expect(b.org(orgId)!.usageDays).toEqual(rows);
    }, { timeout: 10_000, interval: 20 });
    const fresh = await node(url);
    expect(fresh.org(orgId)!.usageDays).toEqual(rows);
  });
});
