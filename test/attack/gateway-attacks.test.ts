// Attacks on the agent socket with real device keys: a hello that claims another device's lease,
// and a second hello on a socket that is already authenticated (a replay, or a switch of identity).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { peekLeaseClaims } from '../../shared/lease.js';
import { addMembers } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent, type DeviceIdentity } from '../gateway/raw-agent.js';

let server: TestServer;
const agents: RawAgent[] = [];

beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 30, agents: { helloTimeoutMs: 2000, maxBadFramesPerMinute: 20, resendAfterMs: 60_000 } });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(() => server.stop());

const connect = async () => {
  const a = await RawAgent.connect(server.url);
  agents.push(a);
  return a;
};
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** An organization where alice holds a SW-PREMIUM seat and two workstations are signed in as her, with the product installed. */
async function twoWorkstations() {
  const org = await orgWithToken(server);
  const [alice] = await addMembers(server, org.orgId, 1);
  const first = await enrollDevice(server.url, org.token);
  const second = await enrollDevice(server.url, org.token);
  await server.services.store.tx((t) => {
    for (const dev of [first, second]) {
      const d = t.org(org.orgId)!.devices[dev.deviceId]!;
      d.signedInAccountId = alice!.id;
      d.inventory = [{ productCode: 'SW-PREMIUM', version: '2025', path: '/opt/sw', serial: null }];
    }
  });
  const seat = await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: alice!.id });
  expect(seat.status).toBe(201);
  return { org, alice: alice!, first, second };
}

/** Authenticates, acks the reconcile, and returns the jtis it granted (checked to be bound to this device). */
async function online(dev: DeviceIdentity, leases: string[] = []) {
  const a = await connect();
  const { reconcile } = await a.authenticate(dev, { leases });
  a.send({ type: 'ack', id: reconcile.id });
  const granted = reconcile.grant.map((t) => peekLeaseClaims(t)!);
  for (const c of granted) expect(c.dev, 'a granted lease names the device it was sent to').toBe(dev.deviceId);
  return { a, reconcile, jtis: granted.map((c) => c.jti) };
}

describe('hello claiming another device’s lease', () => {
  it('neither trusts the foreign jti nor grants it to the claiming device, and leaves its owner alone', async () => {
    const { org, alice, first, second } = await twoWorkstations();
    const one = await online(first);
    expect(one.jtis).toHaveLength(1);
    const stolen = one.jtis[0]!;
    const lease = () => server.services.store.org(org.orgId)!.leases[stolen]!;
    expect(lease()).toMatchObject({ deviceId: first.deviceId, subject: alice.id, status: 'active' });
    const before = structuredClone(lease());

    // The second workstation says it already holds the first one's lease.
    const two = await online(second, [stolen]);
    // Its own lease is granted (the claim did not stand in for it), and the stolen one is not re-sent to it.
    expect(two.jtis).toHaveLength(1);
    expect(two.jtis).not.toContain(stolen);
    expect(two.reconcile.revoke.map((r) => r.jti)).not.toContain(stolen);
    const mine = Object.values(server.services.store.org(org.orgId)!.leases).filter((l) => l.deviceId === second.deviceId);
    expect(mine.map((l) => l.jti)).toEqual(two.jtis);

    // The lease stays the first device's, untouched, and the first device hears nothing about it.
    await settle();
    expect(lease()).toEqual(before);
    expect(one.a.all('lease.revoke')).toEqual([]);
    expect(one.a.ws.readyState).toBe(one.a.ws.OPEN);
  });

  it('ignores a foreign jti from another organization too', async () => {
    const a = await twoWorkstations();
    const b = await twoWorkstations();
    const theirs = (await online(b.first)).jtis[0]!;
    const before = JSON.stringify(server.services.store.org(b.org.orgId)!.leases);
    const mine = await online(a.first, [theirs]);
    expect(mine.jtis).toHaveLength(1);
    expect(mine.jtis).not.toContain(theirs);
    expect(server.services.store.org(a.org.orgId)!.leases[theirs]).toBeUndefined();
    await settle();
    expect(JSON.stringify(server.services.store.org(b.org.orgId)!.leases)).toBe(before);
  });
});

describe('a second hello on an authenticated socket', () => {
  it.each([
    ['its own hello replayed', false],
    ["another device's hello, signed with that device's key over this socket's nonce", true],
  ] as const)('answers %s with an error frame and changes nothing', async (_, otherDevice) => {
    const { org, first, second } = await twoWorkstations();
    const a = await connect();
    const { challenge, reconcile } = await a.authenticate(first);
    a.send({ type: 'ack', id: reconcile.id });
    await settle();
    const doc = JSON.stringify(server.services.store.org(org.orgId));
    const online = [...server.services.gateway.presence.onlineDevices(org.orgId)].sort();
    const framesBefore = a.frames.length;

    a.send({ ...a.hello(otherDevice ? second : first, challenge.nonce), id: 'hello-again' });
    const err = await a.next('error');
    expect(err.code).toBe('FRAME_INVALID');
    expect(err.ref).toBe('hello-again');

    await settle();
    // No second welcome or reconcile, no frame but the error, no identity switch, nothing stored.
    expect(a.frames.slice(framesBefore).map((f) => f.type)).toEqual(['error']);
    expect(JSON.stringify(server.services.store.org(org.orgId))).toBe(doc);
    expect([...server.services.gateway.presence.onlineDevices(org.orgId)].sort()).toEqual(online);
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(second.deviceId)).toBe(false);
    // The socket is still the first device's and still served: a lease request is answered for it.
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    a.send({ type: 'lease.request', productCode: 'SW-PREMIUM', id: 'req-after' });
    const answer = await a.next(undefined, 3000);
    if (answer.type === 'lease.grant') expect(peekLeaseClaims(answer.token)!.dev).toBe(first.deviceId);
    else expect(answer).toMatchObject({ type: 'error', ref: 'req-after' });
    expect(answer.type === 'error' ? answer.code : 'granted').not.toBe('UNAUTHENTICATED');
  });
});
