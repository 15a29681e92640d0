// Story 3: switching a product from serial to named-user activation. The plan names exactly the
// workstation that would lose access; with auto-assign every current user keeps working; without
// it, the person with no seat is refused with the reason.
import { describe, expect, it } from 'vitest';
import { readProducts } from '../../agent/state/products-file.js';
import { e2eOrg, e2eSuite, type Person } from './setup.js';
import { until } from './workstation.js';

const suite = e2eSuite();

/**
 * ACAD on serial activation, used on two workstations under the contract's serial: Ana (who
 * also holds a named seat on the line already) and Ben (who does not).
 */
async function serialInUse(label: string) {
  const server = suite.server;
  const org = await e2eOrg(server);
  const [ana, ben] = (await org.people(2)) as [Person, Person];
  const line = org.line('ACAD');
  expect(line.method).toBe('serial');
  await server.services.store.tx((t) => {
    t.org(org.orgId)!.assignments.pre = { id: 'pre', lineId: line.id, accountId: ana.id, assignedBy: 'test', assignedAt: Date.now() };
  });
  const wsAna = await suite.station(`${label}-ana`);
  const wsBen = await suite.station(`${label}-ben`);
  for (const [ws, person] of [[wsAna, ana], [wsBen, ben]] as const) {
    await ws.install('ACAD', { serial: org.serial });
    await ws.enroll(server.url, org.token);
    await ws.start();
    await ws.waitLease('ACAD', 'held');
    await ws.login(org.activate(person));
    const ok = await ws.check('ACAD');
    expect(ok.json).toMatchObject({ mayRun: true, method: 'serial' });
  }
  return { org, ana, ben, wsAna, wsBen, line };
}

describe('switching serial → named-user', () => {
  it('plans exactly who loses access; applied with auto-assign, everyone keeps working', async () => {
    const { org, ana, ben, wsAna, wsBen, line } = await serialInUse('auto');
    const url = `${org.base}/lines/${line.id}/switch`;
    const plain = await org.admin.post(`${url}/plan`, { to: 'named-user', autoAssign: false });
    expect(plain.status).toBe(200);
    expect(plain.body.losesAccess.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([wsBen.deviceId]);
    expect(plain.body.losesAccess.users).toEqual([{ accountId: ben.id, email: ben.email, name: expect.any(String) }]);
    expect(plain.body.keepsAccess.devices).toEqual([wsAna.deviceId]);
    const auto = await org.admin.post(`${url}/plan`, { to: 'named-user', autoAssign: true });
    expect(auto.body.wouldAssign.map((p: { accountId: string }) => p.accountId)).toEqual([ben.id]);
    expect(auto.body.losesAccess).toEqual({ devices: [], users: [] });

    const applied = await org.admin.post(`${url}/apply`, { to: 'named-user', autoAssign: true });
    expect(applied.status).toBe(200);
    expect(applied.body.switch).toMatchObject({ status: 'applied', from: 'serial', to: 'named-user', productCode: 'ACAD' });
    for (const ws of [wsAna, wsBen]) {
      await until(`${ws.name} told the new method`, async () => (await readProducts(ws.paths)).ACAD?.method === 'named-user');
      await until(`${ws.name} holds a named-user lease`, async () => (await ws.check('ACAD')).json.method === 'named-user', 5000);
      expect((await ws.check('ACAD')).code).toBe(0);
    }
    const assignments = await org.admin.get(`${org.base}/assignments?lineId=${line.id}`);
    expect(assignments.body.assignments.map((a: { accountId: string }) => a.accountId).sort()).toEqual([ana.id, ben.id].sort());
    const audit = await suite.server.services.store.queryAudit(org.orgId, { action: 'line.method-switch' });
    expect(audit).toHaveLength(1);
  });

  it('applied without auto-assign, the person with no seat is refused with the reason', async () => {
    const { org, wsAna, wsBen, line } = await serialInUse('plain');
    const applied = await org.admin.post(`${org.base}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: false });
    expect(applied.status).toBe(200);
    await wsBen.waitLease('ACAD', 'revoked');
    const denied = await wsBen.check('ACAD');
    expect(denied.code).toBe(1);
    expect(denied.json).toMatchObject({ reason: 'revoked', revokeReason: 'method-switched' });
    await until('Ana on a named-user lease', async () => (await wsAna.check('ACAD')).json.method === 'named-user', 5000);
    expect((await wsAna.check('ACAD')).code).toBe(0);
  });

  it('a scheduled switch waits for its time, survives in the store, and can be cancelled', async () => {
    const server = suite.server;
    const org = await e2eOrg(server);
    const line = org.line('ACAD');
    const later = await org.admin.post(`${org.base}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: true, runAt: Date.now() + 600 });
    expect(later.body.switch).toMatchObject({ status: 'scheduled', appliedAt: null });
    const twice = await org.admin.post(`${org.base}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: true, runAt: Date.now() + 60_000 });
    expect(twice.status).toBe(409);
    expect(server.services.store.org(org.orgId)!.switches[later.body.switch.id]!.status).toBe('scheduled');
    await until('applied at its time', () => server.services.store.org(org.orgId)!.switches[later.body.switch.id]!.status === 'applied', 3000);
    expect(server.services.store.org(org.orgId)!.switches[later.body.switch.id]!.appliedAt).toBeGreaterThanOrEqual(later.body.switch.runAt);
    expect(org.line('ACAD').method).toBe('named-user');

    const back = await org.admin.post(`${org.base}/lines/${line.id}/switch/apply`, { to: 'serial', autoAssign: false, runAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(back.body.switch.status).toBe('scheduled');
    const listed = await org.admin.get(`${org.base}/switches`);
    expect(listed.body.switches.map((x: { status: string }) => x.status)).toEqual(['scheduled', 'applied']);
    expect((await org.admin.del(`${org.base}/switches/${back.body.switch.id}`)).body.status).toBe('cancelled');
    expect((await org.admin.del(`${org.base}/switches/${back.body.switch.id}`)).status).toBe(409);
  });
});
