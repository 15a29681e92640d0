// The admin live socket over real sockets: who may connect, what a dashboard receives, how fast,
// and that access ends when the admin stops being one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { LIVE_CLOSE, LIVE_PATH, LiveMessage } from '../../shared/api/live.js';
import { owner, registered } from '../../test/helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../../test/helpers/server.js';
import { deviceRecord } from '../../test/store/store-fixtures.js';

let server: TestServer;
let org: Awaited<ReturnType<typeof seedOrg>>;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  server = await startTestServer();
  org = await seedOrg(server);
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server.stop();
});

const liveUrl = (orgId: string) => `${server.url.replace(/^http/, 'ws')}${LIVE_PATH}?orgId=${orgId}`;

/** Opens the live socket and records every message; `next` waits for one of a type. */
function connect(orgId: string, headers: Record<string, string>) {
  const ws = new WebSocket(liveUrl(orgId), { headers });
  sockets.push(ws);
  const messages: Array<LiveMessage & { receivedAt: number }> = [];
  ws.on('message', (data) => messages.push({ ...LiveMessage.parse(JSON.parse(String(data))), receivedAt: Date.now() }));
  const next = <T extends LiveMessage['type']>(type: T, after = 0, timeoutMs = 3000) =>
    new Promise<Extract<LiveMessage, { type: T }> & { receivedAt: number }>((resolve, reject) => {
      const end = Date.now() + timeoutMs;
      const poll = () => {
        const m = messages.slice(after).find((x) => x.type === type);
        if (m) return resolve(m as Extract<LiveMessage, { type: T }> & { receivedAt: number });
        if (Date.now() > end) return reject(new Error(`no ${type} message within ${timeoutMs} ms`));
        setTimeout(poll, 5);
      };
      poll();
    });
  return { ws, messages, next };
}

/** The HTTP status the upgrade was refused with (or 101 when it was accepted). */
function upgradeStatus(orgId: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(liveUrl(orgId), { headers });
    sockets.push(ws);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', (e) => reject(e));
  });
}

describe('live socket access', () => {
  it('refuses the upgrade without a session, to a member, to another organization and from another origin', async () => {
    const admin = await owner(server.url, org);
    const member = await registered(server.url, { serial: org.serial });
    const other = await seedOrg(server);
    expect(await upgradeStatus(org.orgId, {})).toBe(401);
    expect(await upgradeStatus(org.orgId, { cookie: member.client.cookie! })).toBe(403);
    expect(await upgradeStatus(other.orgId, { cookie: admin.client.cookie! })).toBe(404);
    expect(await upgradeStatus('not a valid id', { cookie: admin.client.cookie! })).toBe(404);
    expect(await upgradeStatus(org.orgId, { cookie: admin.client.cookie!, origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(org.orgId, { cookie: admin.client.cookie!, origin: server.url })).toBe(101);
  });

  it('refuses a malformed session cookie with 401, and the server keeps serving', async () => {
    const admin = await owner(server.url, org);
    expect(await upgradeStatus(org.orgId, { cookie: 'sk_session=%E0%A4%A' })).toBe(401);
    expect(await upgradeStatus(org.orgId, { cookie: admin.client.cookie! })).toBe(101);
  });

  it('closes with ACCESS_ENDED soon after the admin signs out, even when nothing else happens', async () => {
    const admin = await owner(server.url, org);
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    await live.next('snapshot');
    const closed = new Promise<number>((resolve) => live.ws.once('close', (code) => resolve(code)));
    expect((await admin.client.post('/api/v1/auth/sign-out')).status).toBe(200);
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 3 s'), 3000));
    expect(await Promise.race([closed, timeout])).toBe(LIVE_CLOSE.ACCESS_ENDED);
  });

  it('closes with ACCESS_ENDED once the admin is demoted', async () => {
    const admin = await owner(server.url, org);
    const second = await registered(server.url, { serial: org.serial });
    expect((await admin.client.put(`/api/v1/orgs/${org.orgId}/members/${second.accountId}/role`, { role: 'admin' })).status).toBe(200);
    const live = connect(org.orgId, { cookie: second.client.cookie! });
    await live.next('snapshot');
    const closed = new Promise<number>((resolve) => live.ws.once('close', (code) => resolve(code)));
    expect((await admin.client.put(`/api/v1/orgs/${org.orgId}/members/${second.accountId}/role`, { role: 'member' })).status).toBe(200);
    expect(await closed).toBe(LIVE_CLOSE.ACCESS_ENDED);
  });
});

describe('live dashboard messages', () => {
  it('sends a snapshot with seats, devices and the recent feed on connect', async () => {
    const admin = await owner(server.url, org);
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    const snap = await live.next('snapshot');
    expect(snap.orgId).toBe(org.orgId);
    const sw = snap.summary.seats.products.find((p) => p.productCode === 'SW-PREMIUM')!;
    expect(sw).toMatchObject({ owned: 10, assigned: 0, inUse: 0, free: 10 });
    expect(snap.summary.devices).toEqual({ online: 0, total: 0 });
    // The claim happened before the dashboard opened; the backlog still shows it.
    expect(snap.feed.map((f) => f.kind)).toContain('member');
  });

  it('delivers an assignment as a feed item and a fresh summary', async () => {
    const admin = await owner(server.url, org);
    const bob = await registered(server.url, { serial: org.serial });
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    await live.next('snapshot');
    const seen = live.messages.length;
    const r = await admin.client.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: bob.accountId });
    expect(r.status).toBe(201);
    const feed = await live.next('feed', seen);
    const summary = await live.next('summary', seen);
    expect(feed.item.kind).toBe('assignment');
    expect(feed.item.text).toContain(bob.email);
    expect(summary.summary.seats.products.find((p) => p.productCode === 'SW-PREMIUM')).toMatchObject({ assigned: 1, free: 9 });
  });

  it('coalesces a burst of events into one summary', async () => {
    const admin = await owner(server.url, org);
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    await live.next('snapshot');
    const seen = live.messages.length;
    for (let i = 0; i < 20; i++) server.services.events.emit('entitlements', { orgId: org.orgId, reason: 'superseded', all: true });
    await live.next('summary', seen);
    await new Promise((r) => setTimeout(r, 200));
    expect(live.messages.slice(seen).filter((m) => m.type === 'summary')).toHaveLength(1);
  });

  it('sends a changed summary even when no event announced it (a device came online)', async () => {
    const admin = await owner(server.url, org);
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    await live.next('snapshot');
    await server.services.store.tx((t) => {
      t.org(org.orgId)!.devices.dev_1 = deviceRecord('dev_1', { machineIdHash: 'x', hostname: 'ws-1', publicKey: 'k' });
    });
    const seen = live.messages.length;
    vi.spyOn(server.services.gateway.presence, 'onlineDevices').mockImplementation((id) => new Set(id === org.orgId ? ['dev_1'] : []));
    const summary = await live.next('summary', seen, 2000);
    expect(summary.summary.devices).toEqual({ online: 1, total: 1 });
  });

  it('sends nothing of another organization', async () => {
    const admin = await owner(server.url, org);
    const other = await seedOrg(server);
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    await live.next('snapshot');
    const seen = live.messages.length;
    server.services.events.emit('feed', { orgId: other.orgId, at: Date.now(), kind: 'grant', text: 'elsewhere' });
    server.services.events.emit('feed', { orgId: org.orgId, at: Date.now(), kind: 'grant', text: 'here' });
    const feed = await live.next('feed', seen);
    expect(feed.item.text).toBe('here');
    expect(live.messages.slice(seen).some((m) => m.type === 'feed' && m.item.text === 'elsewhere')).toBe(false);
  });

  it('closes open dashboards when the server stops, and closing twice is harmless', async () => {
    const admin = await owner(server.url, org);
    const live = connect(org.orgId, { cookie: admin.client.cookie! });
    await live.next('snapshot');
    const closed = new Promise<number>((resolve) => live.ws.once('close', (code) => resolve(code)));
    await Promise.all([server.close(), server.close()]);
    expect(await closed).toBe(1001);
  });
});
