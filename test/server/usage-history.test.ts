// Usage history over days without waiting for them: a real server on a fake clock, the usage job
// run as the leader runs it each minute, finished days folded once, samples pruned after the fold,
// and the folded days read back through the API (JSON and CSV), also after a restart.
import { rm } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleUsage } from '../../server/jobs/usage.js';
import { Client } from '../helpers/client.js';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';

const at = (iso: string) => Date.parse(iso);
let now = at('2026-05-10T09:00:00Z');
const clock = () => now;
const config = { sessionTtlSeconds: 30 * 86_400 };
const running: TestServer[] = [];
afterAll(async () => {
  for (const s of running) await s.close().catch(() => {});
  if (running[0]) await rm(running[0].dataDir, { recursive: true, force: true });
});

describe('usage history', { timeout: 120_000 }, () => {
  it('folds each finished day once, prunes its samples, and reports the folded days through the API and after a restart', async () => {
    const server = await startTestServer(config, { clock });
    running.push(server);
    const { org, o, base } = await ownedOrg(server);
    const s = server.services;
    // What the job records once a minute while agents hold seats: two samples on the 10th, one on the 11th.
    await s.store.tx((t) => {
      t.org(org.orgId)!.usage.push(
        { at: at('2026-05-10T09:30:00Z'), inUse: { 'SW-PREMIUM': 3 }, devicesOnline: 3 },
        { at: at('2026-05-10T12:00:00Z'), inUse: { 'SW-PREMIUM': 7, ACAD: 1 }, devicesOnline: 8 },
        { at: at('2026-05-11T08:00:00Z'), inUse: { 'SW-PREMIUM': 5 }, devicesOnline: 5 },
      );
    });

    now = at('2026-05-11T10:00:00Z');
    await sampleUsage(s);
    const doc = () => s.store.org(org.orgId)!;
    expect(Object.keys(doc().usageDays!).sort()).toEqual(['2026-05-10/ACAD', '2026-05-10/BIM-COLLAB', '2026-05-10/SW-PREMIUM']);
    expect(doc().usageDays!['2026-05-10/SW-PREMIUM']).toEqual({ day: '2026-05-10', productCode: 'SW-PREMIUM', peak: 7, sum: 10, samples: 2, owned: 10 });
    // Samples of the last 24 hours stay for the dashboard chart; the older one went, after its day was folded.
    expect(doc().usage.map((u) => new Date(u.at).toISOString())).toEqual(['2026-05-10T12:00:00.000Z', '2026-05-11T08:00:00.000Z', '2026-05-11T10:00:00.000Z']);

    now = at('2026-05-13T00:05:00Z');
    await sampleUsage(s);
    const folded = JSON.stringify(doc().usageDays);
    expect(doc().usageDays!['2026-05-11/SW-PREMIUM']).toMatchObject({ peak: 5, sum: 5, samples: 2 });
    // The 12th had no sample (the server was down): no rows, and the report says so (samples 0).
    expect(Object.keys(doc().usageDays!).filter((k) => k.startsWith('2026-05-12'))).toEqual([]);
    // Samples older than 24 hours are gone, after their day was folded.
    expect(doc().usage.map((u) => u.at)).toEqual([now]);
    // The job again (a second run, a second leader): nothing changes.
    await sampleUsage(s);
    expect(JSON.stringify(doc().usageDays)).toBe(folded);

    const expectReport = async (c: Client) => {
      const r = await c.get(`${base}/reports/usage?days=4`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ from: '2026-05-10', to: '2026-05-13' });
      const sw = r.body.rows.filter((x: any) => x.productCode === 'SW-PREMIUM').map((x: any) => [x.day, x.peak, x.avg, x.owned, x.samples]);
      expect(sw).toEqual([
        ['2026-05-10', 7, 5, 10, 2],
        ['2026-05-11', 5, 2.5, 10, 2],
        ['2026-05-12', 0, 0, 10, 0],
        ['2026-05-13', 0, 0, 10, 2],
      ]);
      const csv = await c.get(`${base}/reports/usage?days=4&format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const rows = parse(csv.body as string, { columns: true }) as Array<Record<string, string>>;
      expect(rows.find((x) => x.day === '2026-05-10' && x.product === 'ACAD')).toEqual({ day: '2026-05-10', product: 'ACAD', peak: '1', avg: '0.5', owned: '5', samples: '2' });
    };
    await expectReport(o.client);

    // Folded days are durable: a restarted server reports the same.
    await server.close();
    const again = await startTestServer({ ...config, dataDir: server.dataDir }, { clock });
    running.push(again);
    const c = new Client(again.url);
    c.cookie = o.client.cookie;
    await expectReport(c);
  });

  it('keeps another organization’s history out of reach', async () => {
    const server = running.at(-1)!;
    const other = await ownedOrg(server);
    const first = server.services.store.orgIds().find((id) => server.services.store.org(id)!.usageDays);
    expect(first).toBeDefined();
    expect((await other.o.client.get(`/api/v1/orgs/${first}/reports/usage?days=90`)).status).toBe(404);
  });
});
