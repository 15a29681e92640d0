import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeCodes, MAX_FRAME_BYTES } from '../../shared/protocol/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor } from './raw-agent.js';

let server: TestServer;
const agents: RawAgent[] = [];
const connect = async () => {
  const a = await RawAgent.connect(server.url);
  agents.push(a);
  return a;
};

beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 0.2, agents: { helloTimeoutMs: 400, maxBadFramesPerMinute: 5, resendAfterMs: 300 } });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(() => server.stop());

describe('agent socket authentication', () => {
  it('never lets an unauthenticated socket reach the domain, and closes it when no hello comes', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const before = JSON.stringify(server.services.store.org(org.orgId));
    const a = await connect();
    await a.next('challenge');
    a.send({ type: 'login.start', id: 'l1' });
    a.send({ type: 'lease.request', productCode: 'SW-PREMIUM', id: 'r1' });
    a.send({ type: 'inventory', items: [{ productCode: 'ACAD', version: '1', path: '/x', serial: org.serial }], hash: 'a'.repeat(64) });
    a.send({ type: 'logout' });
    const errors = [await a.next('error'), await a.next('error'), await a.next('error'), await a.next('error')];
    expect(errors.map((e) => e.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(errors[0]!.ref).toBe('l1');
    expect(a.all('login.code')).toEqual([]);
    const closed = await a.closed;
    expect(closed.code).toBe(closeCodes.AUTH_FAILED.code);
    expect(JSON.stringify(server.services.store.org(org.orgId))).toBe(before);
    expect(server.services.gateway.presence.onlineDevices(org.orgId).size).toBe(0);
    expect(server.services.store.org(org.orgId)!.devices[dev.deviceId]!.inventory).toEqual([]);
  });

  it('refuses a hello signed with a key other than the enrolled one', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const other = await enrollDevice(server.url, org.token);
    const a = await connect();
    const { nonce } = await a.next('challenge');
    a.send(a.hello({ ...dev, privateKey: other.privateKey }, nonce));
    expect((await a.next('error')).code).toBe('UNAUTHENTICATED');
    expect((await a.closed).code).toBe(closeCodes.AUTH_FAILED.code);
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId)).toBe(false);
  });

  it('refuses a hello replayed from another connection (its signature covers the other nonce)', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const first = await connect();
    const { nonce } = await first.next('challenge');
    const recorded = first.hello(dev, nonce);
    first.close();
    const second = await connect();
    const { nonce: nonce2 } = await second.next('challenge');
    expect(nonce2).not.toBe(nonce);
    second.send(recorded);
    expect((await second.next('error')).code).toBe('UNAUTHENTICATED');
    expect((await second.closed).code).toBe(closeCodes.AUTH_FAILED.code);
  });

  it('refuses an unknown device and a protocol it does not speak', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const a = await connect();
    const { nonce } = await a.next('challenge');
    a.send(a.hello({ ...dev, deviceId: 'dev_nobody' }, nonce));
    expect((await a.closed).code).toBe(closeCodes.AUTH_FAILED.code);
    const b = await connect();
    const c = await b.next('challenge');
    b.send({ ...b.hello(dev, c.nonce), protocol: 99 } as never);
    expect((await b.next('error')).code).toBe('PROTOCOL_UNSUPPORTED');
    expect((await b.closed).code).toBe(closeCodes.PROTOCOL_UNSUPPORTED.code);
  });

  it('welcomes a valid hello with the device id and settings, and shows the device online', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const a = await connect();
    const { welcome, reconcile } = await a.authenticate(dev);
    expect(welcome.deviceId).toBe(dev.deviceId);
    expect(welcome.settings).toEqual(dev.enrollment.settings);
    expect(reconcile).toMatchObject({ grant: [], revoke: [], signedInAccount: null });
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId)).toBe(true);
    const listed = await org.admin.get(`/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}`);
    expect(listed.body).toMatchObject({ id: dev.deviceId, online: true, revokedAt: null, signedInAccount: null, leases: [] });
    a.close();
    await waitFor('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
    await waitFor('lastSeenAt stored', () => server.services.store.org(org.orgId)!.devices[dev.deviceId]!.lastSeenAt !== null);
  });
});

describe('invalid frames', () => {
  it('answers each with an error frame naming the problem, then closes a peer that keeps at it with 1008', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const a = await connect();
    await a.authenticate(dev);
    a.sendRaw('{not json');
    a.sendRaw('{"v":1,"type":"teleport","id":"t1"}');
    a.sendRaw('{"v":1,"type":"lease.request","productCode":"lower-case","id":"x1"}');
    a.sendRaw(Buffer.from([1, 2, 3]));
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await a.next('error'));
    expect(codes.map((e) => e.code)).toEqual(['FRAME_INVALID_JSON', 'FRAME_UNKNOWN_TYPE', 'FRAME_INVALID', 'FRAME_INVALID']);
    expect(codes[1]!.ref).toBe('t1');
    // The connection lives on below the limit.
    a.send({ type: 'lease.request', productCode: 'SW-PREMIUM', id: 'ok1' });
    expect((await a.next('error')).code).toBe('NOT_ENTITLED');
    a.sendRaw('[]');
    a.sendRaw('null');
    const closed = await a.closed;
    expect(closed.code).toBe(1008);
  });

  it('cuts off a frame larger than the socket limit', async () => {
    const a = await connect();
    await a.next('challenge');
    a.sendRaw('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await a.closed).code).toBe(1009);
  });
});

describe('compression', () => {
  // Off by design: inflating costs CPU and memory per socket (20k agents), and maxPayload would
  // bound only the compressed size of a frame.
  it('answers a client that offers permessage-deflate without the extension', async () => {
    const key = randomBytes(16).toString('base64');
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${server.url}/agent`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': key,
          'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
        },
      });
      req.on('upgrade', (r, socket) => {
        socket.destroy();
        resolve(r);
      });
      req.on('response', (r) => resolve(r));
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(101);
    expect(res.headers['sec-websocket-accept']).toBe(createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
    expect(res.headers['sec-websocket-extensions']).toBeUndefined();

    // The same through a ws client that asks for compression: it gets an uncompressed socket that works.
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d) => resolve(d.toString()));
      ws.once('error', reject);
    });
    expect(ws.extensions).toBe('');
    expect(JSON.parse(first)).toMatchObject({ type: 'challenge' });
    ws.terminate();
  });
});

describe('heartbeat', () => {
  it('terminates a peer that stops answering pings and marks the device offline', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const a = await RawAgent.connect(server.url, { autoPong: false });
    agents.push(a);
    let pings = 0;
    a.ws.on('ping', () => pings++);
    await a.authenticate(dev);
    expect(server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId)).toBe(true);
    const closed = await a.closed;
    expect(closed.code).toBe(1006);
    // Cut off for the (two) pings it left unanswered, not kept for more.
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(pings).toBeLessThanOrEqual(2);
    await waitFor('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId), 500);
  });

  it('keeps a peer that answers pings', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const a = await connect();
    let pings = 0;
    a.ws.on('ping', () => pings++);
    await a.authenticate(dev);
    const seenAtHello = server.services.gateway.presence.lastSeen(org.orgId, dev.deviceId) ?? 0;
    // A silent peer is cut off at the interval after its second ping: a third ping means it was kept.
    await waitFor('a third ping', () => pings >= 3, 10_000);
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    // Its pongs count as being seen.
    await waitFor('seen after a pong', () => (server.services.gateway.presence.lastSeen(org.orgId, dev.deviceId) ?? 0) > seenAtHello, 10_000);
  });
});

describe('revoked devices', () => {
  it('tells a connected device, cuts it off for good, and refuses it from then on', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const a = await connect();
    await a.authenticate(dev);
    const r = await org.admin.post(`/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/revoke`);
    expect(r.status).toBe(200);
    expect(r.body.revokedAt).toEqual(expect.any(Number));
    expect((await a.next('error')).code).toBe('DEVICE_REVOKED');
    expect((await a.closed).code).toBe(closeCodes.DEVICE_REVOKED.code);
    const b = await connect();
    const { nonce } = await b.next('challenge');
    b.send(b.hello(dev, nonce));
    expect((await b.next('error')).code).toBe('DEVICE_REVOKED');
    expect((await b.closed).code).toBe(closeCodes.DEVICE_REVOKED.code);
    const audit = await server.services.store.queryAudit(org.orgId, { action: 'device.revoke' });
    expect(audit.map((e) => e.target)).toContain(dev.deviceId);
  });
});
