// Reports through the API and seatctl against a real server: usage per product per day against
// seats owned (JSON, CSV parsed back), and the audit log exported as CSV and parsed back.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSetup, type Admin } from './admin.js';

let a: Admin;
const DAY = 24 * 3600_000;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  a = await adminSetup();
  // What the usage job records once a minute: two samples today, none before.
  const now = Date.now();
  await a.server.services.store.tx((t) => {
    const doc = t.org(a.orgId)!;
    doc.usage.push({ at: now - 60_000, inUse: { 'SW-PREMIUM': 4, ACAD: 1 }, devicesOnline: 5 }, { at: now, inUse: { 'SW-PREMIUM': 2 }, devicesOnline: 2 });
  });
});
afterAll(() => a?.server.stop());

describe('usage report', { timeout: 120_000 }, () => {
  it('gives peak and average per product per day against seats owned, as JSON and CSV', async () => {
    const r = await a.owner.get(`/api/v1/orgs/${a.orgId}/reports/usage?days=3`);
    expect(r.status).toBe(200);
    expect(r.body.to).toBe(today);
    expect(r.body.from).toBe(new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10));
    const sw = r.body.rows.filter((x: any) => x.productCode === 'SW-PREMIUM');
    expect(sw).toHaveLength(3);
    expect(sw[2]).toEqual({ day: today, productCode: 'SW-PREMIUM', peak: 4, avg: 3, owned: 10, samples: 2 });
    expect(sw[0]).toMatchObject({ peak: 0, avg: 0, samples: 0 });
    expect(r.body.rows.find((x: any) => x.productCode === 'ACAD' && x.day === today)).toMatchObject({ peak: 1, avg: 0.5, owned: 5 });

    const csv = await a.ctl.run(['reports', 'usage', '--days', '3', '--csv']);
    expect(csv.code).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((x) => x.product === 'SW-PREMIUM' && x.day === today)).toEqual({ day: today, product: 'SW-PREMIUM', peak: '4', avg: '3', owned: '10', samples: '2' });
    const human = await a.ctl.run(['reports', 'usage', '--days', '1', '--product', 'SW-PREMIUM']);
    expect(human.stdout).toMatch(new RegExp(`${today}\\s+SW-PREMIUM\\s+4\\s+3.00\\s+10\\s+40%`));
  });

  it('reports 90 days with `seatctl reports usage --days 90`, days folded by the usage job included', async () => {
    // A day the job folded 60 days ago (its samples long pruned).
    const old = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
    await a.server.services.store.tx((t) => {
      (t.org(a.orgId)!.usageDays ??= {})[`${old}/SW-PREMIUM`] = { day: old, productCode: 'SW-PREMIUM', peak: 9, sum: 4320, samples: 1440, owned: 10 };
    });
    const r = await a.ctl.run(['reports', 'usage', '--days', '90', '--json', '--product', 'SW-PREMIUM']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.rows).toHaveLength(90);
    expect(body.to).toBe(today);
    expect(body.rows.find((x: any) => x.day === old)).toEqual({ day: old, productCode: 'SW-PREMIUM', peak: 9, avg: 3, owned: 10, samples: 1440 });
  });

  it('is for admins only and refuses more than 90 days', async () => {
    const { registered } = await import('../helpers/client.js');
    const serial = Object.values(a.server.services.store.org(a.orgId)!.contracts)[0]!.serials[0]!;
    const member = await registered(a.server.url, { serial });
    expect((await member.client.get(`/api/v1/orgs/${a.orgId}/reports/usage`)).status).toBe(403);
    expect((await member.client.get(`/api/v1/orgs/${a.orgId}/reports/audit.csv`)).status).toBe(403);
    expect((await a.owner.get(`/api/v1/orgs/${a.orgId}/reports/usage?days=91`)).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('audit export', () => {
  it('exports every audit event as CSV that parses back, with formulas defused', async () => {
    const team = await a.owner.post(`/api/v1/orgs/${a.orgId}/teams`, { name: '=HYPERLINK("http://evil")' });
    expect(team.status).toBe(201);
    const r = await a.ctl.run(['export', 'audit']);
    expect(r.code).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Array<Record<string, string>>;
    const api = await a.owner.get(`/api/v1/orgs/${a.orgId}/audit?limit=1000`);
    expect(rows.map((x) => x.id)).toEqual(api.body.events.map((e: any) => e.id));
    const created = rows.find((x) => x.action === 'team.create')!;
    expect(JSON.parse(created.after)).toEqual({ name: '=HYPERLINK("http://evil")' });
    expect(rows.every((x) => !/^[=+@]/.test(Object.values(x).join('')))).toBe(true);
    const only = parse((await a.ctl.run(['export', 'audit', '--action', 'team.create'])).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(only.map((x) => x.action)).toEqual(['team.create']);
  });
});
