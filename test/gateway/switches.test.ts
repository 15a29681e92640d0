import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { peekLeaseClaims } from '../../shared/lease.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import { sampleUsage } from '../../server/jobs/usage.js';
import { PERMISSIONS_SUBJECT } from '../../server/mail/permissions-mail.js';
import { registered } from '../helpers/client.js';
import { addMembers, clientFor } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor } from './raw-agent.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const config = { heartbeatSeconds: 0.2, agents: { switchCheckMs: 100 } };

async function serialDevice(server: TestServer, org: Awaited<ReturnType<typeof orgWithToken>>, protocol?: number) {
  const dev = await enrollDevice(server.url, org.token);
  const a = await RawAgent.connect(server.url);
  cleanups.push(() => a.close());
  await a.authenticate(dev, protocol === undefined ? {} : { protocol });
  const items = [{ productCode: 'ACAD', version: '2025', path: '/opt/acad', serial: org.serial }];
  a.send({ type: 'inventory', items, hash: inventoryHash(items) });
  const grant = await a.next('lease.grant');
  a.send({ type: 'ack', id: grant.id });
  return { dev, a, jti: peekLeaseClaims(grant.token)!.jti };
}

describe('method switch routes', () => {
  it('push method.switch and the revocation to a device that loses access', async () => {
    const server = await startTestServer(config);
    cleanups.push(() => server.stop());
    const org = await orgWithToken(server);
    const { dev, a, jti } = await serialDevice(server, org);
    const line = org.line('ACAD');
    const plan = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/plan`, { to: 'named-user', autoAssign: true });
    expect(plan.body.losesAccess.devices).toEqual([{ deviceId: dev.deviceId, hostname: expect.any(String), accountId: null, email: null }]);
    const applied = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: true });
    expect(applied.status).toBe(200);
    // One frame: the new method and the revocation it caused.
    expect(await a.next('method.switch')).toMatchObject({ productCode: 'ACAD', method: 'named-user', revoke: [{ jti, productCode: 'ACAD', reason: 'method-switched' }] });
    expect(server.services.gateway.presence.inUseByLine(org.orgId)[line.id] ?? 0).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.all('lease.revoke')).toEqual([]);
  });

  it('send an agent of protocol 1 the switch as it knows it: method.switch, then the revocation', async () => {
    const server = await startTestServer(config);
    cleanups.push(() => server.stop());
    const org = await orgWithToken(server);
    const { a, jti } = await serialDevice(server, org, 1);
    const line = org.line('ACAD');
    const applied = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: true });
    expect(applied.status).toBe(200);
    const sw = await a.next('method.switch');
    expect(sw).toEqual({ v: 1, type: 'method.switch', id: sw.id, productCode: 'ACAD', method: 'named-user' });
    expect(await a.next('lease.revoke')).toMatchObject({ jti, reason: 'method-switched' });
    const order = a.frames.map((f) => f.type).filter((t) => t === 'method.switch' || t === 'lease.revoke');
    expect(order).toEqual(['method.switch', 'lease.revoke']);
  });

  it('carry the new lease in the switch frame of a device that keeps the product, and resend it until acked', async () => {
    const server = await startTestServer(config);
    cleanups.push(() => server.stop());
    const org = await orgWithToken(server);
    const { a, jti } = await serialDevice(server, org);
    const line = org.line('ACAD');
    expect((await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: false })).status).toBe(200);
    const away = await a.next('method.switch');
    a.send({ type: 'ack', id: away.id });
    expect((await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'serial', autoAssign: false })).status).toBe(200);
    const back = await a.next('method.switch');
    expect(back).toMatchObject({ productCode: 'ACAD', method: 'serial', grant: [expect.any(String)] });
    const claims = peekLeaseClaims(back.grant![0]!)!;
    expect(claims).toMatchObject({ prod: 'ACAD', meth: 'serial' });
    expect(claims.jti).not.toBe(jti);
    // Not acked: the same switch comes again, with the same lease.
    const again = await a.next('method.switch');
    expect(again).toMatchObject({ id: back.id, grant: back.grant });
    expect(a.all('lease.grant').filter((g) => peekLeaseClaims(g.token)?.jti === claims.jti)).toEqual([]);
  });

  it('mail each person auto-assign gives a seat that their permissions changed', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const server = await startTestServer({ ...config, mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port } });
    cleanups.push(() => server.stop());
    const org = await orgWithToken(server);
    const { a } = await serialDevice(server, org);
    const [alice] = await addMembers(server, org.orgId, 1);
    a.send({ type: 'login.start', id: 'ls' });
    const code = await a.next('login.code');
    expect((await (await clientFor(server, alice!.id)).post('/api/v1/device-codes/activate', { userCode: code.userCode })).status).toBe(200);
    const line = org.line('ACAD');
    const applied = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'named-user', autoAssign: true });
    expect(applied.body.plan.wouldAssign).toEqual([expect.objectContaining({ accountId: alice!.id })]);
    const mail = await smtp.waitFor((m) => m.to.includes(alice!.email) && m.subject === PERMISSIONS_SUBJECT);
    expect(mail.text).toContain(`AutoCAD (contract ${org.contract.number})`);
    expect(mail.text).toContain('sign in with your Seatkeeper account');
  });

  it('refuse a switch to the current method, an unknown line, and non-admins', async () => {
    const server = await startTestServer(config);
    cleanups.push(() => server.stop());
    const org = await orgWithToken(server);
    const base = `/api/v1/orgs/${org.orgId}/lines`;
    const same = await org.admin.post(`${base}/${org.line('ACAD').id}/switch/plan`, { to: 'serial' });
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe('CONFLICT');
    expect((await org.admin.post(`${base}/lin_nope/switch/plan`, { to: 'serial' })).status).toBe(404);
    const member = await registered(server.url, { serial: org.serial });
    expect((await member.client.post(`${base}/${org.line('ACAD').id}/switch/apply`, { to: 'named-user' })).status).toBe(403);
    expect(org.line('ACAD').method).toBe('serial');
  });

  it('apply a scheduled switch after a restart: it is stored, not held in memory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sk-switch-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startTestServer({ ...config, dataDir });
    const org = await orgWithToken(first);
    const line = org.line('ACAD');
    const runAt = Date.now() + 700;
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/lines/${line.id}/switch/apply`, { to: 'named-user', runAt });
    expect(r.body.switch).toMatchObject({ status: 'scheduled', runAt });
    await first.stop();
    const second = await startTestServer({ ...config, dataDir });
    cleanups.push(() => second.stop());
    const sw = () => second.services.store.org(org.orgId)!.switches[r.body.switch.id]!;
    expect(sw().status).toBe('scheduled');
    await waitFor('applied', () => sw().status === 'applied', 3000);
    expect(sw().appliedAt).toBeGreaterThanOrEqual(runAt);
    expect(Object.values(second.services.store.org(org.orgId)!.contracts)[0]!.lines.find((l) => l.id === line.id)!.method).toBe('named-user');
  });
});

describe('usage sampling', () => {
  it('records seats in use per product and devices online, keeping 24 hours', async () => {
    const server = await startTestServer(config);
    cleanups.push(() => server.stop());
    const org = await orgWithToken(server);
    await serialDevice(server, org);
    await server.services.store.tx((t) => {
      t.org(org.orgId)!.usage.push({ at: Date.now() - 25 * 3600_000, inUse: { ACAD: 9 }, devicesOnline: 9 });
    });
    await sampleUsage(server.services);
    const usage = server.services.store.org(org.orgId)!.usage;
    expect(usage).toEqual([{ at: expect.any(Number), inUse: { ACAD: 1 }, devicesOnline: 1 }]);
  });
});
