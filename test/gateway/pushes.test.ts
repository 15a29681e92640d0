import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/clock.js';
import { applyGrant, applyReconcile, applyRevoke, type ApplyContext } from '../../agent/link/apply.js';
import { silentLogger } from '../../agent/log.js';
import { statePaths } from '../../agent/state/paths.js';
import { importLeasePublicJwk, peekLeaseClaims } from '../../shared/lease.js';
import { closeCodes } from '../../shared/protocol/index.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { addMembers, addTeam, clientFor } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { OrgIndex } from '../../server/domain/org-index.js';
import { deviceKeyOf } from '../../server/gateway/pusher.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor, type DeviceIdentity } from './raw-agent.js';

/** The gateway's long-lived index says what an index built fresh from the document says. */
function expectIndexCurrent(orgId: string) {
  const doc = server.services.store.org(orgId)!;
  const now = Date.now();
  const kept = server.agentGateway.indexes.get(orgId)!;
  const fresh = new OrgIndex(doc, now);
  for (const id of Object.keys(doc.devices)) {
    expect(kept.liveLeasesOf(id, now).map((l) => l.jti).sort()).toEqual(fresh.liveLeasesOf(id, now).map((l) => l.jti).sort());
  }
  for (const { line } of fresh.lines) expect(kept.serialSeatsTaken(line.id)).toBe(fresh.serialSeatsTaken(line.id));
}

let server: TestServer;
const agents: RawAgent[] = [];

beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 0.2, agents: { resendAfterMs: 300 } });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(() => server.stop());

type Org = Awaited<ReturnType<typeof orgWithToken>>;
const sw: InventoryItem = { productCode: 'SW-PREMIUM', version: '2025', path: '/opt/sw', serial: null };
const acad = (serial: string): InventoryItem => ({ productCode: 'ACAD', version: '2025', path: '/opt/acad', serial });

/** A connected device with `items` installed and `accountId` signed in (through the code flow). */
async function workstation(org: Org, items: InventoryItem[], accountId: string | null, opts: { ack?: boolean; protocol?: number } = {}) {
  const dev = await enrollDevice(server.url, org.token);
  const a = await RawAgent.connect(server.url);
  agents.push(a);
  await a.authenticate(dev, opts.protocol === undefined ? {} : { protocol: opts.protocol });
  a.send({ type: 'inventory', items, hash: inventoryHash(items) });
  if (accountId) {
    a.send({ type: 'login.start' });
    const code = await a.next('login.code');
    const r = await (await clientFor(server, accountId)).post('/api/v1/device-codes/activate', { userCode: code.userCode });
    expect(r.status).toBe(200);
    await a.next('login.done');
    const rec = await a.next('reconcile');
    if (opts.ack !== false) a.send({ type: 'ack', id: rec.id });
  }
  return { dev, a };
}

const jtiOf = (token: string) => peekLeaseClaims(token)!.jti;

/**
 * A round trip on the agent's socket: a request for a product nobody has, answered NOT_ENTITLED.
 * The server handles a connection's requests in order and answers on the same socket, so once
 * the answer is here, so is everything it sent before handling the request.
 */
async function barrier(a: RawAgent) {
  const id = `barrier-${Math.random().toString(36).slice(2)}`;
  a.send({ type: 'lease.request', productCode: 'REVIT', id });
  await waitFor('the barrier answer', () => a.all('error').find((e) => e.ref === id), 10_000);
}

/** The device's active leases as the server stores them (a grant is only ever of one of these). */
const activeLeases = (orgId: string, deviceId: string) =>
  Object.values(server.services.store.org(orgId)!.leases).filter((l) => l.deviceId === deviceId && l.status === 'active');

async function assign(org: Org, code: string, accountId: string) {
  const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line(code).id, accountId });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

describe('entitlement pushes', () => {
  it('grants at once when a seat is assigned, and sends the push again until it is acked', async () => {
    const org = await orgWithToken(server);
    const [amy] = await addMembers(server, org.orgId, 1);
    const { dev, a } = await workstation(org, [sw], amy!.id);
    await assign(org, 'SW-PREMIUM', amy!.id);
    const grant = await a.next('lease.grant', 10_000);
    expect(peekLeaseClaims(grant.token)).toMatchObject({ sub: amy!.id, prod: 'SW-PREMIUM', meth: 'named-user' });
    // Not acked: the same push (same id) comes again.
    const again = await a.next('lease.grant', 10_000);
    expect(again).toEqual(grant);
    a.send({ type: 'ack', id: grant.id });
    // Acked: it is no longer pending (resends come only from the outbox)…
    const key = deviceKeyOf(org.orgId, dev.deviceId);
    await waitFor('the grant no longer pending', () => !server.agentGateway.pusher.outbox.has(key, grant.id), 10_000);
    // …and every frame sent before that has arrived (a request's answer comes after them): all were that one push.
    await barrier(a);
    expect(new Set(a.all('lease.grant').map((g) => g.id))).toEqual(new Set([grant.id]));
    expect(server.agentGateway.pusher.outbox.has(key, grant.id)).toBe(false);
  });

  it("revokes from the previous holder ('reassigned') and grants the new one when a seat is reassigned", async () => {
    const org = await orgWithToken(server);
    const [ann, ben] = await addMembers(server, org.orgId, 2);
    const asg = await assign(org, 'SW-PREMIUM', ann!.id);
    const A = await workstation(org, [sw], ann!.id);
    const B = await workstation(org, [sw], ben!.id);
    // One reconcile per id: on a slow machine a copy may have been resent before the ack arrived.
    const held = [...new Map(A.a.all('reconcile').map((r) => [r.id, r])).values()].flatMap((r) => r.grant);
    expect(held).toHaveLength(1);
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments/${asg}/reassign`, { accountId: ben!.id });
    expect(r.status).toBe(200);
    const revoke = await A.a.next('lease.revoke');
    expect(revoke).toMatchObject({ jti: jtiOf(held[0]!), productCode: 'SW-PREMIUM', reason: 'reassigned' });
    const grant = await B.a.next('lease.grant');
    expect(peekLeaseClaims(grant.token)).toMatchObject({ sub: ben!.id, prod: 'SW-PREMIUM' });
    expect(server.services.store.org(org.orgId)!.leases[revoke.jti]).toMatchObject({ status: 'revoked', revokeReason: 'reassigned' });
    expectIndexCurrent(org.orgId);
  });

  it('brings a device that was offline up to date on reconnect: the revocation is in its reconcile', async () => {
    const org = await orgWithToken(server);
    const [cat] = await addMembers(server, org.orgId, 1);
    const asg = await assign(org, 'SW-PREMIUM', cat!.id);
    const { dev, a } = await workstation(org, [sw], cat!.id);
    const token = a.all('reconcile').flatMap((r) => r.grant)[0]!;
    a.close();
    await waitFor('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
    expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/assignments/${asg}`)).status).toBe(200);
    await waitFor('revoked in store', () => server.services.store.org(org.orgId)!.leases[jtiOf(token)]!.status === 'revoked');
    const back = await RawAgent.connect(server.url);
    agents.push(back);
    const { reconcile } = await back.authenticate(dev, { leases: [jtiOf(token)] });
    expect(reconcile.revoke).toEqual([{ jti: jtiOf(token), productCode: 'SW-PREMIUM', reason: 'unassigned' }]);
    expect(reconcile.grant).toEqual([]);
  });

  it("revokes every lease of a removed member ('member-removed')", async () => {
    const org = await orgWithToken(server);
    const [dan] = await addMembers(server, org.orgId, 1);
    await assign(org, 'SW-PREMIUM', dan!.id);
    const { a } = await workstation(org, [sw], dan!.id);
    expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/members/${dan!.id}`)).status).toBe(200);
    expect(await a.next('lease.revoke')).toMatchObject({ productCode: 'SW-PREMIUM', reason: 'member-removed' });
  });

  it('gives serial seats first come, first served, and hands a freed seat to a waiting device', async () => {
    const org = await orgWithToken(server);
    await server.services.store.tx((t) => {
      for (const c of Object.values(t.org(org.orgId)!.contracts)) for (const l of c.lines) if (l.productCode === 'ACAD') l.seats = 1;
    });
    const first = await workstation(org, [acad(org.serial.toLowerCase())], null);
    const grant = await first.a.next('lease.grant');
    expect(peekLeaseClaims(grant.token)).toMatchObject({ sub: `serial:${org.serial}`, prod: 'ACAD', meth: 'serial' });
    const second = await workstation(org, [acad(org.serial)], null);
    const wrongSerial = await workstation(org, [acad('NOT-OURS-1')], null);
    // Their inventories were handled before these requests (one queue per connection): no seat, no lease.
    for (const w of [second, wrongSerial]) {
      w.a.send({ type: 'lease.request', productCode: 'ACAD', id: 'acad-q' });
      expect(await w.a.next('error', 10_000)).toMatchObject({ code: 'NOT_ENTITLED', ref: 'acad-q' });
      expect(activeLeases(org.orgId, w.dev.deviceId)).toEqual([]);
    }
    expect(second.a.all('lease.grant')).toEqual([]);
    expect(wrongSerial.a.all('lease.grant')).toEqual([]);
    expect(server.services.gateway.presence.inUseByLine(org.orgId)[org.line('ACAD').id]).toBe(1);
    await org.admin.post(`/api/v1/orgs/${org.orgId}/devices/${first.dev.deviceId}/revoke`);
    expect(peekLeaseClaims((await second.a.next('lease.grant')).token)).toMatchObject({ dev: second.dev.deviceId, prod: 'ACAD' });
    expect(wrongSerial.a.all('lease.grant')).toEqual([]);
    expectIndexCurrent(org.orgId);
  });

  it('needs both a seat and the project team for a two-tier service product', async () => {
    const org = await orgWithToken(server);
    const [eve] = await addMembers(server, org.orgId, 1);
    const { dev, a } = await workstation(org, [], eve!.id);
    await assign(org, 'BIM-COLLAB', eve!.id);
    // The seat alone: asked for, the server says not entitled, and it holds no lease to push.
    a.send({ type: 'lease.request', productCode: 'BIM-COLLAB', id: 'bim-q' });
    expect(await a.next('error', 10_000)).toMatchObject({ code: 'NOT_ENTITLED', ref: 'bim-q' });
    expect(activeLeases(org.orgId, dev.deviceId)).toEqual([]);
    expect(a.all('lease.grant')).toEqual([]);
    await addTeam(server, org.orgId, { name: 'Tower project', memberIds: [eve!.id], contractIds: [org.contract.id] });
    server.services.gateway.rightsChanged({ orgId: org.orgId, accountIds: [eve!.id] });
    expect(peekLeaseClaims((await a.next('lease.grant')).token)).toMatchObject({ prod: 'BIM-COLLAB', sub: eve!.id });
  });

  it("revokes a two-tier product with 'team-removed' when its holder leaves the project team (the seat stays assigned)", async () => {
    const org = await orgWithToken(server);
    const [eve] = await addMembers(server, org.orgId, 1);
    const teamId = await addTeam(server, org.orgId, { name: 'Harbour project', memberIds: [eve!.id], contractIds: [org.contract.id] });
    const { a } = await workstation(org, [], eve!.id);
    await assign(org, 'BIM-COLLAB', eve!.id);
    const grant = await a.next('lease.grant');
    expect(peekLeaseClaims(grant.token)).toMatchObject({ prod: 'BIM-COLLAB', sub: eve!.id });
    expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/teams/${teamId}/members/${eve!.id}`)).status).toBe(200);
    expect(await a.next('lease.revoke')).toMatchObject({ productCode: 'BIM-COLLAB', reason: 'team-removed' });
    const seats = Object.values(server.services.store.org(org.orgId)!.assignments).filter((x) => x.accountId === eve!.id);
    expect(seats).toHaveLength(1);
  });

  it("tells an agent of protocol 1 (which has no 'team-removed') such a revocation as 'unassigned', pushed and in its reconcile", async () => {
    const org = await orgWithToken(server);
    const [eve] = await addMembers(server, org.orgId, 1);
    const teamId = await addTeam(server, org.orgId, { name: 'Quay project', memberIds: [eve!.id], contractIds: [org.contract.id] });
    const { dev, a } = await workstation(org, [], eve!.id, { protocol: 1 });
    await assign(org, 'BIM-COLLAB', eve!.id);
    const jti = peekLeaseClaims((await a.next('lease.grant')).token)!.jti;
    expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/teams/${teamId}/members/${eve!.id}`)).status).toBe(200);
    expect(await a.next('lease.revoke')).toMatchObject({ jti, productCode: 'BIM-COLLAB', reason: 'unassigned' });
    expect(server.services.store.org(org.orgId)!.leases[jti]).toMatchObject({ status: 'revoked', revokeReason: 'team-removed' });
    a.close();
    const back = await RawAgent.connect(server.url);
    agents.push(back);
    const { reconcile } = await back.authenticate(dev, { leases: [jti], protocol: 1 });
    expect(reconcile.revoke).toEqual([{ jti, productCode: 'BIM-COLLAB', reason: 'unassigned' }]);
  });

  it('answers lease.request with the current lease, or NOT_ENTITLED', async () => {
    const org = await orgWithToken(server);
    const [fay] = await addMembers(server, org.orgId, 1);
    await assign(org, 'SW-PREMIUM', fay!.id);
    const { a } = await workstation(org, [sw], fay!.id);
    const held = a.all('reconcile').flatMap((r) => r.grant)[0]!;
    a.send({ type: 'lease.request', productCode: 'SW-PREMIUM', id: 'q1' });
    const g = await a.next('lease.grant');
    expect(jtiOf(g.token)).toBe(jtiOf(held));
    a.send({ type: 'lease.request', productCode: 'REVIT', id: 'q2' });
    expect(await a.next('error')).toMatchObject({ code: 'NOT_ENTITLED', ref: 'q2' });
  });

  it('asks an online device to rescan on request', async () => {
    const org = await orgWithToken(server);
    const { dev, a } = await workstation(org, [sw], null);
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/rescan`);
    expect(r.body).toEqual({ ok: true, online: true });
    await a.next('inventory.request');
    const list = await org.admin.get(`/api/v1/orgs/${org.orgId}/devices`);
    expect(list.body.devices).toHaveLength(1);
    expect(list.body.devices[0]).toMatchObject({ id: dev.deviceId, online: true, inventory: [sw] });
  });
});


/** Connects `dev` again, as an agent coming back that still holds `leases`. */
async function reconnect(dev: DeviceIdentity, leases: string[]) {
  const back = await RawAgent.connect(server.url);
  agents.push(back);
  const { nonce } = await back.next('challenge');
  back.send(back.hello(dev, nonce, { leases }));
  return back;
}

/** An agent state directory holding nothing yet, applying pushes with the lease key `dev` pinned. */
async function agentState(dev: DeviceIdentity): Promise<ApplyContext & { dir: string }> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-pushes-'));
  const leaseKey = await importLeasePublicJwk(dev.enrollment.leasePublicKeyJwk);
  return { dir, paths: statePaths(dir), deviceId: dev.deviceId, leaseKey, clock: systemClock, logger: silentLogger };
}

describe('pushes that take a right away', () => {
  it("revokes the online agent's lease ('contract-ended') when the contract's end is moved into the past", async () => {
    const org = await orgWithToken(server);
    const [gus] = await addMembers(server, org.orgId, 1);
    await assign(org, 'SW-PREMIUM', gus!.id);
    const { a } = await workstation(org, [sw], gus!.id);
    const token = a.all('reconcile').flatMap((r) => r.grant)[0]!;
    // It started when the organization was seeded, moments ago; an end before that would not be a term.
    const endsAt = Date.now();
    // The end must be in the past when the server reads it: wait for the clock to pass it.
    while (Date.now() <= endsAt) await new Promise((r) => setImmediate(r));
    const r = await org.admin.patch(`/api/v1/orgs/${org.orgId}/contracts/${org.contract.id}`, { endsAt });
    expect(r.status).toBe(200);
    expect(r.body.active).toBe(false);
    const revoke = await a.next('lease.revoke', 10_000);
    expect(revoke).toMatchObject({ jti: jtiOf(token), productCode: 'SW-PREMIUM', reason: 'contract-ended' });
    expect(server.services.store.org(org.orgId)!.leases[revoke.jti]).toMatchObject({ status: 'revoked', revokeReason: 'contract-ended' });
  });

  it("revokes an online device's leases ('device-revoked'), then says DEVICE_REVOKED and closes it with 4003", async () => {
    const org = await orgWithToken(server);
    const [hal] = await addMembers(server, org.orgId, 1);
    await assign(org, 'SW-PREMIUM', hal!.id);
    const { dev, a } = await workstation(org, [sw], hal!.id);
    const token = a.all('reconcile').flatMap((r) => r.grant)[0]!;
    expect((await org.admin.post(`/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/revoke`)).status).toBe(200);
    expect(await a.next('lease.revoke')).toMatchObject({ jti: jtiOf(token), productCode: 'SW-PREMIUM', reason: 'device-revoked' });
    expect(await a.next('error')).toMatchObject({ code: 'DEVICE_REVOKED' });
    expect((await a.closed).code).toBe(closeCodes.DEVICE_REVOKED.code);
    // The revocations came before the error: an agent applies them before it is cut off.
    const order = a.frames.map((f) => f.type);
    expect(order.lastIndexOf('lease.revoke')).toBeLessThan(order.indexOf('error'));
  });

  it('tells a revoked device that comes back which of its leases are revoked, before refusing it', async () => {
    const org = await orgWithToken(server);
    const [ivy] = await addMembers(server, org.orgId, 1);
    await assign(org, 'SW-PREMIUM', ivy!.id);
    const { dev, a } = await workstation(org, [sw], ivy!.id);
    const token = a.all('reconcile').flatMap((r) => r.grant)[0]!;
    a.close();
    await waitFor('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
    expect((await org.admin.post(`/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/revoke`)).status).toBe(200);

    const back = await reconnect(dev, [jtiOf(token), 'lse_not_ours']);
    const reconcile = await back.next('reconcile');
    expect(reconcile).toMatchObject({ grant: [], revoke: [{ jti: jtiOf(token), productCode: 'SW-PREMIUM', reason: 'device-revoked' }], signedInAccount: null });
    expect(await back.next('error')).toMatchObject({ code: 'DEVICE_REVOKED' });
    expect((await back.closed).code).toBe(closeCodes.DEVICE_REVOKED.code);
    // Told, not admitted: never online, nothing kept for it.
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId)).toBe(false);
    expect(server.agentGateway.pusher.outbox.size(deviceKeyOf(org.orgId, dev.deviceId))).toBe(0);
  });

  it('sends an unacked lease.revoke again, and again on reconnect; applying it twice is harmless', async () => {
    const org = await orgWithToken(server);
    const [jay] = await addMembers(server, org.orgId, 1);
    const asg = await assign(org, 'SW-PREMIUM', jay!.id);
    const { dev, a } = await workstation(org, [sw], jay!.id);
    const token = a.all('reconcile').flatMap((r) => r.grant)[0]!;
    const st = await agentState(dev);
    try {
      expect(await applyGrant(st, token)).toMatchObject({ result: 'stored' });
      expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/assignments/${asg}`)).status).toBe(200);
      const revoke = await a.next('lease.revoke');
      expect(revoke).toMatchObject({ jti: jtiOf(token), reason: 'unassigned' });
      // Applied, but the ack is lost: the server sends it again while connected…
      expect(await applyRevoke(st, revoke)).toBe('tombstoned');
      const tombstone = await fs.readFile(st.paths.lease('SW-PREMIUM'), 'utf8');
      expect(await a.next('lease.revoke')).toEqual(revoke);
      a.close();
      await waitFor('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));

      // …and once more when the agent returns saying it still holds the lease (it crashed before writing).
      const back = await reconnect(dev, [jtiOf(token)]);
      const reconcile = await back.next('reconcile');
      expect(reconcile.revoke).toEqual([{ jti: revoke.jti, productCode: 'SW-PREMIUM', reason: 'unassigned' }]);
      expect(reconcile.grant).toEqual([]);
      expect(await applyRevoke(st, revoke)).toBe('unchanged');
      expect(await applyReconcile(st, reconcile)).toMatchObject({ revokes: ['unchanged'], grants: [] });
      // A late copy of the grant does not bring the revoked lease back.
      expect(await applyGrant(st, token)).toMatchObject({ result: 'ignored', why: 'revoked-jti' });
      expect(await fs.readFile(st.paths.lease('SW-PREMIUM'), 'utf8')).toBe(tombstone);

      back.send({ type: 'ack', id: reconcile.id });
      back.send({ type: 'ack', id: reconcile.id });
      back.send({ type: 'ack', id: revoke.id });
      await waitFor('outbox empty', () => server.agentGateway.pusher.outbox.size(deviceKeyOf(org.orgId, dev.deviceId)) === 0);
      // Nothing is left to resend, and everything sent before now has arrived: no copy came after the acks.
      await barrier(back);
      expect(back.all('error').filter((e) => !e.ref?.startsWith('barrier-'))).toEqual([]);
      expect(back.all('lease.revoke')).toEqual([]);
      expect(server.services.store.org(org.orgId)!.leases[revoke.jti]).toMatchObject({ status: 'revoked', revokeReason: 'unassigned' });
    } finally {
      await fs.rm(st.dir, { recursive: true, force: true });
    }
  });
});
