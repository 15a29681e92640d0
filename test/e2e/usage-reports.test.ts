// Issue 12 §3: a real agent counts every `check` (allowed or refused, with the reason) in its spool,
// the daemon reports the counts over its socket, and the admin sees them — idle seats and refusals
// through the API, CSV and `seatctl` as a real process — and reclaims an idle seat.
import { promises as fs } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../helpers/outbox.js';
import type { TestServer } from '../helpers/server.js';
import { Seatctl } from '../seatctl/run-seatctl.js';
import { e2eOrg, startE2EServer, type Person } from './setup.js';
import { ensureAgentBundle, until, Workstation } from './workstation.js';

let server: TestServer;
let org: Awaited<ReturnType<typeof e2eOrg>>;
let ws: Workstation;
let user: Person;
let idle: Person;
let ctl: Seatctl;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  await ensureAgentBundle();
  server = await startE2EServer();
  org = await e2eOrg(server);
  [user, idle] = (await org.people(2)) as [Person, Person];
  for (const p of [user, idle]) {
    const r = await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: p.id });
    expect(r.status).toBe(201);
  }
  ws = await Workstation.create('usage');
  await ws.install('SW-PREMIUM');
  await ws.enroll(server.url, org.token);
  await ws.start();
  await ws.login(org.activate(user));
  await ws.waitLease('SW-PREMIUM', 'held');
  const t = await org.admin.post('/api/v1/me/tokens', { name: 'usage reports' });
  ctl = await Seatctl.create();
  const login = await ctl.run(['login', '--server', server.url, '--token', t.body.token]);
  expect(login.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await ws?.dispose();
  await server?.stop();
});

const denials = async () => (await org.admin.get(`${org.base}/reports/denials?days=1`)).body;

describe('usage reported by the agents', { timeout: 120_000 }, () => {
  it('counts allowed and refused checks in the spool, reports them, and empties the spool once acknowledged', async () => {
    // The daemon made the spool open to every local user: create, not list, sticky.
    expect((await fs.stat(ws.paths.usageSpool)).mode & 0o7777).toBe(0o1733);
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);
    expect((await ws.check('sw-premium')).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await ws.check('ACAD')).json).toMatchObject({ mayRun: false, reason: 'no-lease' });

    const files = await fs.readdir(ws.paths.usageSpool);
    expect(files).toEqual([`u${process.getuid!()}.log`]);
    const spool = `${ws.paths.usageSpool}/${files[0]}`;
    expect((await fs.stat(spool)).mode & 0o777).toBe(0o600);
    expect((await fs.readFile(spool, 'utf8')).trim().split('\n').map((l) => l.split('\t').slice(1, 3))).toEqual([
      ['SW-PREMIUM', 'ok'],
      ['SW-PREMIUM', 'ok'],
      ['ACAD', 'no-lease'],
      ['ACAD', 'no-lease'],
      ['ACAD', 'no-lease'],
    ]);

    // The daemon folds and reports on connect (and on its timer): restart it.
    await ws.stop();
    await ws.start();
    const report = await until('denials reported', async () => {
      const b = await denials();
      return b.total === 3 ? b : null;
    }, 20_000);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ day: today, productCode: 'ACAD', reason: 'no-lease', count: 3, accountId: user.id, email: user.email });
    expect(report.perDay).toEqual([{ day: today, productCode: 'ACAD', count: 3 }]);

    // Acknowledged: nothing left to send, nothing left in the spool.
    await until('outbox emptied', async () => {
      const box = JSON.parse(await fs.readFile(ws.paths.usageOutbox, 'utf8').catch(() => '{"batches":[1]}'));
      return box.batches.length === 0;
    });
    expect(await fs.readdir(ws.paths.usageSpool)).toEqual([]);
    expect(await fs.readdir(ws.paths.usageTaken)).toEqual([]);

    // A reconnect sends nothing again: still three.
    await ws.stop();
    await ws.start();
    expect((await denials()).total).toBe(3);
  });

  it('shows who used their seat and who did not, through the API, CSV and seatctl', async () => {
    const r = await org.admin.get(`${org.base}/reports/idle-seats?days=0`);
    expect(r.status).toBe(200);
    const mine = r.body.rows.find((x: any) => x.accountId === user.id);
    const theirs = r.body.rows.find((x: any) => x.accountId === idle.id);
    expect(mine.lastUsedAt).toBeGreaterThan(Date.now() - 120_000);
    expect(theirs).toMatchObject({ productCode: 'SW-PREMIUM', lastUsedAt: null, idleDays: 0 });
    // Nobody is idle for a day yet: the seats were assigned minutes ago.
    expect((await org.admin.get(`${org.base}/reports/idle-seats?days=1`)).body.rows).toEqual([]);

    const csv = await ctl.run(['reports', 'idle', '--days', '0', '--csv']);
    expect(csv.code).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((x) => x.email === idle.email)).toMatchObject({ product: 'SW-PREMIUM', last_used_at: '', idle_days: '0' });
    expect(rows.find((x) => x.email === user.email)!.last_used_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const human = await ctl.run(['reports', 'idle', '--days', '0']);
    expect(human.stdout).toMatch(new RegExp(`${idle.email.replace(/[.+]/g, '\\$&')}\\s+SW-PREMIUM\\s+\\S+\\s+never\\s+0`));

    const den = await ctl.run(['reports', 'denials', '--json']);
    expect(den.code).toBe(0);
    expect(JSON.parse(den.stdout)).toMatchObject({ total: 3, perDay: [{ day: today, productCode: 'ACAD', count: 3 }] });
    const perDay = await ctl.run(['reports', 'denials', '--per-day']);
    expect(perDay.stdout).toMatch(new RegExp(`${today}\\s+ACAD\\s+3`));
    const denCsv = parse((await ctl.run(['reports', 'denials', '--csv'])).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(denCsv).toEqual([expect.objectContaining({ day: today, product: 'ACAD', reason: 'no-lease', count: '3', email: user.email })]);
  });

  it('reclaims an idle seat with seatctl: unassigned, and the holder is told by mail', async () => {
    const seat = (await org.admin.get(`${org.base}/reports/idle-seats?days=0`)).body.rows.find((x: any) => x.accountId === idle.id);
    // Asked to reclaim only a seat idle for 30 days: this one is not, and stays.
    const refused = await ctl.run(['seats', 'reclaim', seat.assignmentId, '--idle-days', '30']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not idle/);
    const r = await ctl.run(['seats', 'reclaim', seat.assignmentId, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, accountId: idle.id, productCode: 'SW-PREMIUM' });
    const left = (await org.admin.get(`${org.base}/assignments`)).body.assignments.map((a: any) => a.accountId);
    expect(left).not.toContain(idle.id);
    expect(left).toContain(user.id);
    const mail = await until('reclaim mail', async () => (await readOutbox(server.dataDir)).find((m) => m.to.includes(idle.email) && /reclaimed/.test(m.text)));
    expect(mail.text).toMatch(/Your seat of SOLIDWORKS Premium \(contract [^)]+\) was reclaimed: unused for 0 days/);
  });
});
