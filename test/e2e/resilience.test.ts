// Story 2: an agent that was stopped while its seat was revoked learns it on its next connect; a
// server restart leaves every agent reconnected with its leases intact; a network drop is survived.
import { peekLeaseClaims } from '../../shared/lease.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { e2eOrg, E2E_CONFIG, startE2EServer } from './setup.js';
import { readDaemonStatus } from '../../agent/state/status-file.js';
import { ensureAgentBundle, until, Workstation } from './workstation.js';

const stations: Workstation[] = [];
const cleanups: Array<() => Promise<void>> = [];

async function station(name: string): Promise<Workstation> {
  const ws = await Workstation.create(name);
  stations.push(ws);
  return ws;
}

beforeAll(async () => {
  await ensureAgentBundle();
});
afterEach(async () => {
  for (const w of stations.splice(0)) await w.dispose();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const heldJti = async (ws: Workstation, code: string) => {
  const f = await ws.lease(code);
  return f.kind === 'held' ? peekLeaseClaims(f.lease.token)!.jti : null;
};

describe('an agent that was stopped', () => {
  it('is revoked on its next connect when its seat was taken away meanwhile', async () => {
    const server = await startE2EServer();
    cleanups.push(() => server.stop());
    const org = await e2eOrg(server);
    const [p] = await org.people(1);
    const asg = await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: p!.id });
    const ws = await station('stopped');
    await ws.install('SW-PREMIUM');
    await ws.enroll(server.url, org.token);
    await ws.start();
    await ws.login(org.activate(p!));
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);

    await ws.stop();
    await until('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(ws.deviceId));
    expect((await org.admin.del(`${org.base}/assignments/${asg.body.id}`)).status).toBe(200);
    // Offline, the agent cannot know yet: its signed lease still holds (bounded by exp).
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);

    await ws.start();
    await ws.waitLease('SW-PREMIUM', 'revoked');
    const denied = await ws.check('SW-PREMIUM');
    expect(denied.code).toBe(1);
    expect(denied.json).toMatchObject({ reason: 'revoked', revokeReason: 'unassigned' });
  });
});

describe('a workstation revoked while its agent was stopped', () => {
  it('drops every lease on its next connect (device-revoked) and stops trying to connect', async () => {
    const server = await startE2EServer();
    cleanups.push(() => server.stop());
    const org = await e2eOrg(server);
    const [p] = await org.people(1);
    await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: p!.id });
    const ws = await station('revoked');
    await ws.install('SW-PREMIUM');
    await ws.install('ACAD', { serial: org.serial });
    await ws.enroll(server.url, org.token);
    await ws.start();
    await ws.login(org.activate(p!));
    await ws.waitLease('ACAD', 'held');
    for (const code of ['SW-PREMIUM', 'ACAD']) expect((await ws.check(code)).code).toBe(0);

    await ws.stop();
    await until('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(ws.deviceId));
    expect((await org.admin.post(`${org.base}/devices/${ws.deviceId}/revoke`)).status).toBe(200);
    // Offline, the agent cannot know yet: its signed leases still hold (bounded by exp).
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);

    ws.launch();
    await ws.waitLease('SW-PREMIUM', 'revoked');
    await ws.waitLease('ACAD', 'revoked');
    for (const code of ['SW-PREMIUM', 'ACAD']) {
      const denied = await ws.check(code);
      expect(denied.code, code).toBe(1);
      expect(denied.json, code).toMatchObject({ mayRun: false, reason: 'revoked', revokeReason: 'device-revoked' });
    }
    await until('status says revoked', async () => (await readDaemonStatus(ws.paths))?.lastError?.includes('device revoked'));
    // Refused once, it stays down instead of knocking again: its link says it closed for good (no
    // retry is scheduled after that line), it is still running, and it was told only once.
    await until('link closed for good', () => ws.logs().includes('server closed the connection for good'));
    expect(ws.running).toBe(true);
    expect(ws.logs().split('the server says this device is revoked').length - 1).toBe(1);
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(ws.deviceId)).toBe(false);
  });
});

describe('a server restart', () => {
  it('leaves every agent reconnected with its leases intact', async () => {
    const first = await startE2EServer();
    const { dataDir, port } = first;
    let server = first;
    cleanups.push(async () => {
      await server.stop();
      const { rm } = await import('node:fs/promises');
      await rm(dataDir, { recursive: true, force: true });
    });
    const org = await e2eOrg(server);
    const [p, q] = await org.people(2);
    for (const person of [p!, q!]) await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: person.id });
    const wsP = await station('restart-p');
    const wsQ = await station('restart-q');
    const wsSerial = await station('restart-serial');
    await wsSerial.install('ACAD', { serial: org.serial });
    for (const [ws, person] of [[wsP, p!], [wsQ, q!]] as const) {
      await ws.install('SW-PREMIUM');
      await ws.enroll(server.url, org.token);
      await ws.start();
      await ws.login(org.activate(person));
    }
    await wsSerial.enroll(server.url, org.token);
    await wsSerial.start();
    await wsSerial.waitLease('ACAD', 'held');
    const before = {
      p: await heldJti(wsP, 'SW-PREMIUM'),
      q: await heldJti(wsQ, 'SW-PREMIUM'),
      serial: await heldJti(wsSerial, 'ACAD'),
    };
    expect(Object.values(before).every(Boolean)).toBe(true);

    // Same data directory, same port (given explicitly, so the agents find it again).
    await first.close();
    for (const ws of [wsP, wsQ, wsSerial]) await ws.waitConnected(false);
    server = await startTestServer({ ...E2E_CONFIG, dataDir, port });
    expect(server.port).toBe(port);
    for (const ws of [wsP, wsQ, wsSerial]) await ws.waitConnected(true, 15_000);
    await until('all online', () => server.services.gateway.presence.onlineDevices(org.orgId).size === 3, 5000);

    expect({ p: await heldJti(wsP, 'SW-PREMIUM'), q: await heldJti(wsQ, 'SW-PREMIUM'), serial: await heldJti(wsSerial, 'ACAD') }).toEqual(before);
    for (const [ws, code] of [[wsP, 'SW-PREMIUM'], [wsQ, 'SW-PREMIUM'], [wsSerial, 'ACAD']] as const) expect((await ws.check(code)).code).toBe(0);
    const doc = server.services.store.org(org.orgId)!;
    for (const jti of Object.values(before)) expect(doc.leases[jti!]).toMatchObject({ status: 'active' });
    // And the restarted server still pushes: a reassignment reaches P at once.
    const asgP = Object.values(doc.assignments).find((x) => x.accountId === p!.id)!;
    const [r] = await org.people(1, server);
    await org.admin.post(`${org.base}/assignments/${asgP.id}/reassign`, { accountId: r!.id });
    await wsP.waitLease('SW-PREMIUM', 'revoked', 2000);
  });
});

describe('a network drop', () => {
  it('is survived: the agent reconnects through the restored path and gets what changed', async () => {
    const server = await startE2EServer();
    cleanups.push(() => server.stop());
    const proxy = await TcpProxy.start(server.port);
    cleanups.push(() => proxy.close());
    const org = await e2eOrg(server);
    const [p] = await org.people(1);
    const ws = await station('flaky');
    await ws.install('SW-PREMIUM');
    await ws.install('REVIT');
    await ws.enroll(proxy.url, org.token);
    await ws.start();
    await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: p!.id });
    await ws.login(org.activate(p!));
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);

    proxy.cut();
    await ws.waitConnected(false);
    await until('server sees it offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(ws.deviceId));
    // Still works offline.
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);
    // A change while the path is down: a new contract line for REVIT and a seat on it.
    const added = await org.admin.post(`${org.base}/contracts`, {
      number: `C-REVIT-${Date.now()}`,
      serials: [`RV${Date.now()}`],
      endsAt: Date.now() + 30 * 24 * 3600 * 1000,
      lines: [{ productCode: 'REVIT', seats: 1, method: 'named-user' }],
    });
    expect(added.status).toBe(201);
    // No path to the workstation (the server sees it offline): the lease can only come with the reconnect's reconcile.
    expect((await org.admin.post(`${org.base}/assignments`, { lineId: added.body.lines[0].id, accountId: p!.id })).status).toBe(201);
    expect((await ws.lease('REVIT')).kind).toBe('none');

    proxy.restore();
    await ws.waitConnected(true, 15_000);
    await ws.waitLease('REVIT', 'held', 5000);
    expect((await ws.check('REVIT')).code).toBe(0);
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(ws.deviceId)).toBe(true);
  });
});
