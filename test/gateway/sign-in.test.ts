import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importLeasePublicJwk, verifyLease } from '../../shared/lease.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import type { FeedItem } from '../../server/core/events.js';
import { registered } from '../helpers/client.js';
import { addMembers, clientFor } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent, type DeviceIdentity } from './raw-agent.js';

let server: TestServer;
const agents: RawAgent[] = [];
const feed: FeedItem[] = [];

beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 0.5, agents: { maxDeviceCodeFailures: 10 } });
  server.services.events.on('feed', (f) => feed.push(f));
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(() => server.stop());

const swItem = { productCode: 'SW-PREMIUM', version: '2025', path: '/opt/dassault/solidworks-premium/2025', serial: null };

/** A device with SOLIDWORKS installed, connected, and a user code it asked for. */
async function deviceAskingForCode(org: Awaited<ReturnType<typeof orgWithToken>>, srv: TestServer = server) {
  const dev = await enrollDevice(srv.url, org.token);
  const a = await RawAgent.connect(srv.url);
  agents.push(a);
  await a.authenticate(dev);
  a.send({ type: 'inventory', items: [swItem], hash: inventoryHash([swItem]) });
  a.send({ type: 'login.start', id: 'ls1' });
  const code = await a.next('login.code');
  return { dev, a, code };
}

async function verified(dev: DeviceIdentity, token: string) {
  const key = await importLeasePublicJwk(dev.enrollment.leasePublicKeyJwk);
  return verifyLease(token, key, { deviceId: dev.deviceId, now: Math.floor(Date.now() / 1000) });
}

describe('device sign-in', () => {
  it('shows a short unambiguous code; entering it signs the person in and sends their leases', async () => {
    const org = await orgWithToken(server);
    const [alice] = await addMembers(server, org.orgId, 1);
    const assigned = await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: alice!.id });
    expect(assigned.status).toBe(201);
    const { dev, a, code } = await deviceAskingForCode(org);
    expect(code).toMatchObject({ id: 'ls1', verificationUri: `${server.url}/activate`, expiresIn: 600 });
    expect(code.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    // A second socket of the same device (the daemon beside `login`) gets the leases too.
    const daemon = await RawAgent.connect(server.url);
    agents.push(daemon);
    await daemon.authenticate(dev, { inventoryHash: inventoryHash([swItem]) });

    const alic = await clientFor(server, alice!.id);
    const typed = code.userCode.toLowerCase().replace('-', ' ');
    const r = await alic.post('/api/v1/device-codes/activate', { userCode: typed });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, orgId: org.orgId, deviceId: dev.deviceId, account: { id: alice!.id, email: alice!.email } });

    expect((await a.next('login.done')).account.id).toBe(alice!.id);
    for (const sock of [a, daemon]) {
      const rec = await sock.next('reconcile');
      expect(rec.signedInAccount?.id).toBe(alice!.id);
      expect(rec.grant).toHaveLength(1);
      const v = await verified(dev, rec.grant[0]!);
      expect(v).toMatchObject({ ok: true, claims: { sub: alice!.id, prod: 'SW-PREMIUM', meth: 'named-user', dev: dev.deviceId, org: org.orgId } });
    }
    expect(daemon.all('login.done')).toEqual([]);
    expect(server.services.store.org(org.orgId)!.devices[dev.deviceId]!.signedInAccountId).toBe(alice!.id);
    expect(feed.some((f) => f.kind === 'sign-in' && f.deviceId === dev.deviceId && f.accountId === alice!.id)).toBe(true);
    // A code works once.
    const again = await alic.post('/api/v1/device-codes/activate', { userCode: code.userCode });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('DEVICE_CODE_INVALID');
  });

  it("refuses a code from someone outside the device's organization", async () => {
    const org = await orgWithToken(server);
    const { code } = await deviceAskingForCode(org);
    const stranger = await registered(server.url);
    const r = await stranger.client.post('/api/v1/device-codes/activate', { userCode: code.userCode });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('DEVICE_CODE_INVALID');
    expect((await new (await import('../helpers/client.js')).Client(server.url).post('/api/v1/device-codes/activate', { userCode: code.userCode })).status).toBe(401);
  });

  it("answers another organization's administrator exactly as for an unknown code, and the code still works at home", async () => {
    const org = await orgWithToken(server);
    const other = await orgWithToken(server);
    const { code, a } = await deviceAskingForCode(org);
    const foreign = await other.admin.post('/api/v1/device-codes/activate', { userCode: code.userCode });
    const unknown = await other.admin.post('/api/v1/device-codes/activate', { userCode: 'BBBB-CCCC' });
    expect({ status: foreign.status, body: foreign.body }).toEqual({ status: unknown.status, body: unknown.body });
    expect(foreign.body.error.code).toBe('DEVICE_CODE_INVALID');
    const [member] = await addMembers(server, org.orgId, 1);
    expect((await (await clientFor(server, member!.id)).post('/api/v1/device-codes/activate', { userCode: code.userCode })).status).toBe(200);
    expect((await a.next('login.done')).account.id).toBe(member!.id);
  });

  it('rate-limits guessing per account with 429 and Retry-After, even for a right code', async () => {
    const org = await orgWithToken(server);
    const { code, a } = await deviceAskingForCode(org);
    const [guesser, rightful] = await addMembers(server, org.orgId, 2);
    const g = await clientFor(server, guesser!.id);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await g.post('/api/v1/device-codes/activate', { userCode: `BBBB-BBB${'CDFGHJKLMN'[i]}` })).status);
    expect(statuses).toEqual(Array(10).fill(400));
    const blocked = await g.post('/api/v1/device-codes/activate', { userCode: code.userCode });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The code still works for its rightful owner.
    const ok = await (await clientFor(server, rightful!.id)).post('/api/v1/device-codes/activate', { userCode: code.userCode });
    expect(ok.status).toBe(200);
    expect((await a.next('login.done')).account.id).toBe(rightful!.id);
  });

  it("tells the socket that asked when its code expires unused (login.failed 'expired'), and only that one", async () => {
    // A long heartbeat: the notice comes when the code expires, not at some later tick.
    const short = await startTestServer({ heartbeatSeconds: 30, agents: { deviceCodeTtlSeconds: 1 } });
    try {
      const org = await orgWithToken(short);
      const { dev, a, code } = await deviceAskingForCode(org, short);
      expect(code.expiresIn).toBe(1);
      const daemon = await RawAgent.connect(short.url);
      agents.push(daemon);
      await daemon.authenticate(dev, { inventoryHash: inventoryHash([swItem]) });
      expect(await a.next('login.failed')).toMatchObject({ reason: 'expired' });
      expect(daemon.all('login.failed')).toEqual([]);
      const [late] = await addMembers(short, org.orgId, 1);
      const r = await (await clientFor(short, late!.id)).post('/api/v1/device-codes/activate', { userCode: code.userCode });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('DEVICE_CODE_INVALID');
    } finally {
      for (const x of agents.splice(0)) x.close();
      await short.stop();
    }
  });

  it("signs out on logout: that person's leases are revoked ('signed-out'), told once to each socket", async () => {
    const org = await orgWithToken(server);
    const [bob] = await addMembers(server, org.orgId, 1);
    await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: bob!.id });
    const { dev, a, code } = await deviceAskingForCode(org);
    await (await clientFor(server, bob!.id)).post('/api/v1/device-codes/activate', { userCode: code.userCode });
    await a.next('login.done');
    const rec = await a.next('reconcile');
    const jti = (await verified(dev, rec.grant[0]!)).ok ? ((await verified(dev, rec.grant[0]!)) as { claims: { jti: string } }).claims.jti : '';
    // `seatkeeper-agent logout` asks over its own short-lived socket while the daemon stays connected.
    const asker = await RawAgent.connect(server.url);
    agents.push(asker);
    await asker.authenticate(dev, { inventoryHash: null });
    asker.send({ type: 'logout', id: 'bye' });
    // The daemon's socket hears the revocation as a push.
    expect(await a.next('lease.revoke')).toMatchObject({ jti, productCode: 'SW-PREMIUM', reason: 'signed-out' });
    // The asking socket hears the outcome once: a reconcile saying nobody is signed in, with the revocation.
    let after = await asker.next('reconcile');
    while (after.signedInAccount !== null || after.revoke.length === 0) after = await asker.next('reconcile');
    expect(after.revoke).toEqual([{ jti, productCode: 'SW-PREMIUM', reason: 'signed-out' }]);
    expect(asker.all('lease.revoke')).toEqual([]);
    const doc = server.services.store.org(org.orgId)!;
    expect(doc.devices[dev.deviceId]!.signedInAccountId).toBeNull();
    expect(doc.leases[jti]).toMatchObject({ status: 'revoked', revokeReason: 'signed-out' });
  });
});
