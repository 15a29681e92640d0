// The people a scheduled method switch will take a product from are mailed when it is scheduled
// and once more shortly before it runs, by the leader's job; time moves through the server's clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { remindDueSwitches } from '../../server/jobs/switch-reminder.js';
import { addMembers, clientFor } from '../helpers/fixtures.js';
import { textWords, visibleWords } from '../helpers/mail-parts.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const HOUR = 3600 * 1000;
/** Mail goes through a real SMTP server in the background: an upper bound on two busy cores, not a figure. */
const MAIL_WAIT_MS = 15_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server whose clock the test moves, mailing a real SMTP server; `checkMs` is how often the jobs look. */
async function setup(checkMs: number, dataDir?: string) {
  const smtp = await startSmtp();
  cleanups.push(() => smtp.close());
  const clock = { now: Date.now() };
  const config = { mail: { kind: 'smtp' as const, host: '127.0.0.1', port: smtp.port }, agents: { switchCheckMs: checkMs }, switchReminderMinutes: 24 * 60, ...(dataDir ? { dataDir } : {}) };
  const server = await startTestServer(config, { clock: () => clock.now });
  cleanups.push(() => server.stop());
  const org = await seedOrg(server);
  const [own] = await addMembers(server, org.orgId, 1, 'owner');
  const admin = await clientFor(server, own!.id);
  return { smtp, clock, server, config, org: { ...org, admin, adminEmail: own!.email } };
}

/**
 * A workstation holding a serial AutoCAD seat, with `name` signed in on it: written into the store
 * as the gateway would leave it (the plan reads only the store; pushes are another test's subject).
 */
async function workstationOf(server: TestServer, org: Awaited<ReturnType<typeof setup>>['org'], name: string, hostname: string) {
  const [p] = await addMembers(server, org.orgId, 1);
  const s = server.services;
  const now = s.clock();
  const line = org.line('ACAD');
  await s.store.tx((t) => {
    t.global().accounts[p!.id]!.name = name;
    const doc = t.org(org.orgId)!;
    const id = s.ids('dev');
    doc.devices[id] = {
      id,
      machineIdHash: id,
      hostname,
      os: { platform: 'linux', distro: '', release: '', arch: 'x64' },
      agentVersion: '1',
      publicKey: 'x',
      enrolledAt: now,
      enrolledWith: 'enr',
      lastSeenAt: now,
      signedInAccountId: p!.id,
      inventory: [{ productCode: 'ACAD', version: '2025', path: '/opt/acad', serial: org.serial }],
      inventoryHash: null,
      revokedAt: null,
    };
    const jti = s.ids('lea');
    doc.leases[jti] = { jti, deviceId: id, subject: `serial:${org.serial}`, productCode: 'ACAD', method: 'serial', lineId: line.id, issuedAt: now, expiresAt: now + 7 * 24 * HOUR, status: 'active', revokedAt: null, revokeReason: null };
  });
  s.gateway.leasesChangedOutside(org.orgId);
  return p!;
}

const warningsTo = (smtp: TestSmtp, email: string, reminder: boolean) =>
  smtp.mails.filter((m) => m.to.includes(email) && /stops working for you/.test(m.subject) && m.subject.startsWith('Reminder:') === reminder);

describe('warnings before a scheduled method switch', { timeout: 60_000 }, () => {
  it('mails whoever would lose access when it is scheduled and once a day before it runs, saying what to do', async () => {
    const { smtp, clock, server, org } = await setup(50);
    const ann = await workstationOf(server, org, 'Ann <b>Archer</b>', 'ws-ann-01');
    const line = org.line('ACAD');
    const runAt = clock.now + 48 * HOUR;
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: false, runAt });
    expect(r.status).toBe(200);
    expect(r.body.switch).toMatchObject({ status: 'scheduled', runAt });
    expect(r.body.switch).not.toHaveProperty('warned');
    expect(r.body.plan.losesAccess.users).toEqual([expect.objectContaining({ accountId: ann.id })]);

    const first = await smtp.waitFor((m) => m.to.includes(ann.email) && /^AutoCAD stops working for you/.test(m.subject), MAIL_WAIT_MS);
    expect(first.text).toContain('Hello Ann <b>Archer</b>,');
    expect(first.text).toContain(`switches AutoCAD (contract ${org.contract.number}) from serial-number to sign-in activation`);
    expect(first.text).toContain('  - ws-ann-01');
    expect(first.text).toContain('ask an administrator');
    expect(first.text).toContain(org.adminEmail);
    expect(first.html).toContain('Hello Ann &lt;b&gt;Archer&lt;/b&gt;,');
    expect(visibleWords(first.html)).toEqual(textWords(first.text));

    // A day and a half before: not yet.
    clock.now = runAt - 36 * HOUR;
    expect(await remindDueSwitches(server.services)).toBe(0);
    // Inside the day before it runs: the job reminds, once.
    clock.now = runAt - 23 * HOUR;
    const reminder = await smtp.waitFor((m) => m.to.includes(ann.email) && m.subject.startsWith('Reminder: AutoCAD stops working for you'), MAIL_WAIT_MS);
    expect(reminder.text).toContain('This is the one reminder you get about this switch.');
    // The job run again, twice at once, as on a second node: nobody is mailed again.
    expect(await Promise.all([remindDueSwitches(server.services), remindDueSwitches(server.services)])).toEqual([0, 0]);
    const sw = server.services.store.org(org.orgId)!.switches[r.body.switch.id]!;
    expect(sw.warned?.[ann.id]).toEqual({ scheduled: expect.any(Number), reminder: runAt - 23 * HOUR });
    await server.services.mailer.send({ to: ann.email, subject: 'sentinel', text: 'after the reruns' });
    await smtp.waitFor((m) => m.to.includes(ann.email) && m.subject === 'sentinel', MAIL_WAIT_MS);
    expect(warningsTo(smtp, ann.email, false)).toHaveLength(1);
    expect(warningsTo(smtp, ann.email, true)).toHaveLength(1);
    // Nobody who keeps the product was mailed.
    expect(smtp.mails.filter((m) => /stops working/.test(m.subject) && !m.to.includes(ann.email))).toEqual([]);
  });

  it('reminds each person once when two runs race for the same switch', async () => {
    // The jobs' own timer never fires during this test: only the two runs below remind.
    const { smtp, clock, server, org } = await setup(3_600_000);
    const bo = await workstationOf(server, org, 'Bo', 'ws-bo-01');
    const cy = await workstationOf(server, org, 'Cy', 'ws-cy-01');
    const runAt = clock.now + 72 * HOUR;
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${org.line('ACAD').id}/switch/apply`, { to: 'named-user', runAt });
    expect(r.status).toBe(200);
    clock.now = runAt - HOUR;
    const runs = await Promise.all([remindDueSwitches(server.services), remindDueSwitches(server.services)]);
    expect(runs.sort()).toEqual([0, 2]);
    for (const p of [bo, cy]) await smtp.waitFor((m) => m.to.includes(p.email) && m.subject.startsWith('Reminder:'), MAIL_WAIT_MS);
    expect(await remindDueSwitches(server.services)).toBe(0);
    await server.services.mailer.send({ to: bo.email, subject: 'sentinel', text: 'after the runs' });
    await smtp.waitFor((m) => m.subject === 'sentinel', MAIL_WAIT_MS);
    for (const p of [bo, cy]) expect(warningsTo(smtp, p.email, true)).toHaveLength(1);
  });

  it('does not mail a reminder to people told at scheduling inside the reminder window, nor after a cancel', async () => {
    const { smtp, clock, server, org } = await setup(3_600_000);
    const dee = await workstationOf(server, org, 'Dee', 'ws-dee-01');
    const lineId = org.line('ACAD').id;
    const soon = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${lineId}/switch/apply`, { to: 'named-user', runAt: clock.now + 2 * HOUR });
    expect(soon.status).toBe(200);
    await smtp.waitFor((m) => m.to.includes(dee.email) && /^AutoCAD stops working/.test(m.subject), MAIL_WAIT_MS);
    expect(await remindDueSwitches(server.services)).toBe(0);
    expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/switches/${soon.body.switch.id}`)).status).toBe(200);
    const later = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${lineId}/switch/apply`, { to: 'named-user', runAt: clock.now + 50 * HOUR });
    expect(later.status).toBe(200);
    clock.now += 49 * HOUR;
    // Only the switch still scheduled reminds.
    expect(await remindDueSwitches(server.services)).toBe(1);
    const switches = server.services.store.org(org.orgId)!.switches;
    expect(switches[soon.body.switch.id]!.warned?.[dee.id]).toEqual({ scheduled: expect.any(Number) });
    expect(switches[later.body.switch.id]!.warned?.[dee.id]).toEqual({ scheduled: expect.any(Number), reminder: clock.now });
    await smtp.waitFor((m) => m.to.includes(dee.email) && m.subject.startsWith('Reminder:'), MAIL_WAIT_MS);
    expect(warningsTo(smtp, dee.email, true)).toHaveLength(1);
  });

  it('does not remind again after a restart: who was told is stored with the switch', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sk-warn-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { smtp, clock, server, config, org } = await setup(3_600_000, dataDir);
    const eve = await workstationOf(server, org, 'Eve', 'ws-eve-01');
    const runAt = clock.now + 30 * HOUR;
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${org.line('ACAD').id}/switch/apply`, { to: 'named-user', runAt });
    expect(r.status).toBe(200);
    clock.now = runAt - 2 * HOUR;
    expect(await remindDueSwitches(server.services)).toBe(1);
    await smtp.waitFor((m) => m.to.includes(eve.email) && m.subject.startsWith('Reminder:'), MAIL_WAIT_MS);
    await server.stop();
    const again = await startTestServer(config, { clock: () => clock.now });
    cleanups.push(() => again.stop());
    const sw = again.services.store.org(org.orgId)!.switches[r.body.switch.id]!;
    expect(sw).toMatchObject({ status: 'scheduled', remindedAt: runAt - 2 * HOUR, warned: { [eve.id]: { scheduled: expect.any(Number), reminder: runAt - 2 * HOUR } } });
    expect(await remindDueSwitches(again.services)).toBe(0);
  });
});
